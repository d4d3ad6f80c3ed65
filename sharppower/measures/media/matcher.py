"""Match one batch of local articles against the wire index (the work of either engine).

Candidates (shared LSH band key) -> date window -> verification on the shingle sets
(containment and Jaccard thresholds) -> attribution of the accepted pairs only. The
local engine scores all candidate pairs of a batch at once (kernels.common_counts on
sorted distinct sets); the Spark engine scores pair by pair with verify.overlap_scores on
the same sets, and both build each line with `match_row`, so their results are identical.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sharppower.measures.media.attribution import Rules
from sharppower.measures.media.candidates import BandIndex
from sharppower.measures.media.features import Features, featurise
from sharppower.measures.media.kernels import common_counts
from sharppower.measures.media.params import MatchParams
from sharppower.measures.media.verify import accepted, in_window

MATCH_COLUMNS = [
    "local_id", "wire_id", "containment", "jaccard", "attribution", "credit",
    "local_outlet", "country", "local_date", "wire_outlet", "actor", "wire_date",
    "local_url", "wire_url",
]


@dataclass
class WireIndex:
    frame: pd.DataFrame        # the wire corpus (corpus.COLUMNS), row i = feature row i
    set_flat: np.ndarray       # sorted distinct shingle hashes of every wire article,
    set_offsets: np.ndarray    # article i's: set_flat[set_offsets[i]:set_offsets[i+1]]
    bands: BandIndex
    params: MatchParams
    rules: Rules

    def __post_init__(self) -> None:
        self.days = self.frame["day"].to_numpy(np.int64)
        self.sizes = np.diff(self.set_offsets)
        self._records: list[dict] | None = None
        self._credits: dict[int, set[str]] = {}

    def set(self, i: int) -> np.ndarray:
        return self.set_flat[self.set_offsets[i]:self.set_offsets[i + 1]]

    def record(self, i: int) -> dict:
        if self._records is None:
            self._records = self.frame.to_dict("records")
        return self._records[i]

    def credits(self, i: int) -> set[str]:
        """What wire article i's own text credits (computed once per article)."""
        if i not in self._credits:
            rec = self.record(i)
            self._credits[i] = self.rules.wire_credits(rec["text"], rec["outlet"])
        return self._credits[i]


def build_wire_index(wire: pd.DataFrame, params: MatchParams, rules: Rules) -> WireIndex:
    wire = wire.reset_index(drop=True)
    sets, bounds, keys, valid, total = [], [np.zeros(1, dtype=np.int64)], [], [], 0
    for start in range(0, len(wire), params.batch):
        feats = featurise(wire["text"].iloc[start:start + params.batch].tolist(), params)
        flat, offsets = feats.sets(np.arange(len(feats.offsets) - 1))
        sets.append(flat)
        bounds.append(offsets[1:] + total)
        total += len(flat)
        keys.append(feats.keys)
        valid.append(feats.valid)
    set_flat = np.concatenate(sets) if sets else np.zeros(0, dtype=np.uint64)
    keys_all = np.concatenate(keys) if keys else np.zeros((0, params.bands), dtype=np.uint64)
    valid_all = np.concatenate(valid) if valid else np.zeros(0, dtype=bool)
    return WireIndex(wire, set_flat, np.concatenate(bounds), BandIndex(keys_all, valid_all),
                     params, rules)


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
    ok = in_window(local["day"].to_numpy()[rows_l], index.days[rows_w], index.params)
    return match_pairs(index, local, feats, rows_l[ok], rows_w[ok])


def pair_scores(index: WireIndex, feats: Features, rows_l: np.ndarray,
                rows_w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(containment, Jaccard) of every candidate pair, as verify.overlap_scores gives them."""
    distinct, which = np.unique(rows_l, return_inverse=True)
    local_flat, local_offsets = feats.sets(distinct)
    common = common_counts(index.set_flat, index.set_offsets, rows_w,
                           local_flat, local_offsets, which.astype(np.int64))
    n_wire, n_local = index.sizes[rows_w], np.diff(local_offsets)[which]
    union = n_wire + n_local - common
    some = (n_wire > 0) & (n_local > 0)
    containment = np.divide(common, n_wire, out=np.zeros(len(common)), where=some)
    jaccard = np.divide(common, union, out=np.zeros(len(common)), where=some)
    return containment, jaccard


def match_pairs(index: WireIndex, local: pd.DataFrame, feats: Features,
                rows_l: np.ndarray, rows_w: np.ndarray) -> pd.DataFrame:
    if len(rows_l) == 0:
        return pd.DataFrame(columns=MATCH_COLUMNS)
    containment, jaccard = pair_scores(index, feats, rows_l, rows_w)
    keep = np.flatnonzero(accepted(containment, jaccard, index.params))
    if len(keep) == 0:
        return pd.DataFrame(columns=MATCH_COLUMNS)
    cols = {c: local[c].to_numpy(object) for c in local.columns}
    out = []
    for p in keep.tolist():
        i, j = int(rows_l[p]), int(rows_w[p])
        loc = {c: v[i] for c, v in cols.items()}
        out.append(match_row(index.rules, loc, index.record(j), float(containment[p]),
                             float(jaccard[p]), index.credits(j)))
    return pd.DataFrame(out, columns=MATCH_COLUMNS)


def match_row(rules: Rules, loc, wire, containment: float, jaccard: float,
              wire_credits: set[str] | None = None) -> dict:
    """One output line; `loc` and `wire` are articles (dicts or rows with corpus.COLUMNS);
    `wire_credits`, when given, is rules.wire_credits of the wire article."""
    text = f"{loc['title'] or ''}\n{loc['text']}"
    attribution, credit = rules.attribute(text, wire["text"], wire["outlet"], wire_credits)
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
