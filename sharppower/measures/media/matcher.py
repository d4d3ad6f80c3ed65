"""Match one batch of local articles against the wire index (the work of either engine).

Candidates (shared LSH band key) -> date window -> verification on the shingle sets
(containment and Jaccard thresholds) -> attribution. Both engines call `match_pairs` on
the same inputs, so their results are identical.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sharppower.measures.media.attribution import Rules
from sharppower.measures.media.candidates import BandIndex
from sharppower.measures.media.features import Features, featurise
from sharppower.measures.media.params import MatchParams
from sharppower.measures.media.verify import accepted, in_window, overlap_scores

MATCH_COLUMNS = [
    "local_id", "wire_id", "containment", "jaccard", "attribution", "credit",
    "local_outlet", "country", "local_date", "wire_outlet", "actor", "wire_date",
    "local_url", "wire_url",
]


@dataclass
class WireIndex:
    frame: pd.DataFrame        # the wire corpus (corpus.COLUMNS), row i = feature row i
    sets: list[np.ndarray]     # distinct shingle hashes per wire article
    bands: BandIndex
    params: MatchParams
    rules: Rules

    @property
    def records(self) -> list[dict]:
        if not hasattr(self, "_records"):
            self._records = self.frame.to_dict("records")
        return self._records


def build_wire_index(wire: pd.DataFrame, params: MatchParams, rules: Rules) -> WireIndex:
    wire = wire.reset_index(drop=True)
    sets, keys, valid = [], [], []
    for start in range(0, len(wire), params.batch):
        feats = featurise(wire["text"].iloc[start:start + params.batch].tolist(), params)
        sets += [feats.shingle_set(i) for i in range(len(feats.offsets) - 1)]
        keys.append(feats.keys)
        valid.append(feats.valid)
    keys_all = np.concatenate(keys) if keys else np.zeros((0, params.bands), dtype=np.uint64)
    valid_all = np.concatenate(valid) if valid else np.zeros(0, dtype=bool)
    return WireIndex(wire, sets, BandIndex(keys_all, valid_all), params, rules)


def match_frame(index: WireIndex, local: pd.DataFrame) -> pd.DataFrame:
    """Matches of a batch of local articles (any size; featurised in params.batch slices)."""
    parts = []
    local = local.reset_index(drop=True)
    for start in range(0, len(local), index.params.batch):
        part = local.iloc[start:start + index.params.batch].reset_index(drop=True)
        feats = featurise(part["text"].tolist(), index.params)
        parts.append(match_features(index, part, feats))
    if not parts:
        return pd.DataFrame(columns=MATCH_COLUMNS)
    return pd.concat(parts, ignore_index=True)


def match_features(index: WireIndex, local: pd.DataFrame, feats: Features) -> pd.DataFrame:
    rows_l, rows_w = index.bands.query(feats.keys, feats.valid)
    ok = in_window(local["day"].to_numpy()[rows_l], index.frame["day"].to_numpy()[rows_w],
                   index.params)
    return match_pairs(index, local, feats, rows_l[ok], rows_w[ok])


def match_pairs(index: WireIndex, local: pd.DataFrame, feats: Features,
                rows_l: np.ndarray, rows_w: np.ndarray) -> pd.DataFrame:
    out, cache, rows = [], {}, None
    for i, j in zip(rows_l.tolist(), rows_w.tolist()):
        if i not in cache:
            cache[i] = feats.shingle_set(i)
        containment, jaccard = overlap_scores(index.sets[j], cache[i])
        if accepted(containment, jaccard, index.params):
            rows = rows or {c: local[c].to_numpy(object) for c in local.columns}
            loc = {c: v[i] for c, v in rows.items()}
            out.append(match_row(index.rules, loc, index.records[j], containment, jaccard))
    return pd.DataFrame(out, columns=MATCH_COLUMNS)


def match_row(rules: Rules, loc, wire, containment: float, jaccard: float) -> dict:
    """One output line; `loc` and `wire` are articles (dicts or rows with corpus.COLUMNS)."""
    text = f"{loc['title'] or ''}\n{loc['text']}"
    attribution, credit = rules.attribute(text, wire["text"], wire["outlet"])
    return {
        "local_id": loc["id"], "wire_id": wire["id"],
        "containment": round(containment, 6), "jaccard": round(jaccard, 6),
        "attribution": attribution, "credit": credit,
        "local_outlet": loc["outlet"], "country": loc["country"], "local_date": loc["date"],
        "wire_outlet": rules.canonical(wire["outlet"]),
        "actor": rules.actor(wire["outlet"]) or wire["country"],
        "wire_date": wire["date"], "local_url": loc["url"], "wire_url": wire["url"],
    }


def sort_matches(matches: pd.DataFrame) -> pd.DataFrame:
    return matches.sort_values(["local_id", "wire_id"], kind="stable").reset_index(drop=True)
