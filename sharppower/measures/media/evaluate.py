"""Precision and recall of a match file against the synthetic truth (synth.py).

A truth pair is (local article, the wire article it reprints), for every reprint except
`too_early` ones (outside the date window: expected to be missed). A predicted pair is
correct when it is a truth pair. Per group (the edit of a reprint, or `same_topic` /
`unrelated`): recall = truth pairs found / truth pairs; precision = correct predictions
/ predictions for the local articles of that group. The headline row `kept>=0.5` takes
the reprints keeping at least half of the wire text; `all` every prediction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ["group", "truth_pairs", "found", "recall", "predicted", "correct", "precision",
           "attribution_accuracy"]


def label(truth: pd.DataFrame, matches: pd.DataFrame) -> pd.DataFrame:
    """The matches with the truth of their local article and whether each is correct."""
    t = truth.assign(group=truth["edit"].where(truth["kind"] == "reprint", truth["kind"]))
    m = matches.merge(t[["local_id", "kind", "group", "wire_id", "attribution", "kept"]].rename(
        columns={"wire_id": "true_wire", "attribution": "true_attribution"}), on="local_id", how="left")
    m["correct"] = ((m["wire_id"] == m["true_wire"]) & (m["kind"] == "reprint")
                    & (m["group"] != "too_early"))
    m["attribution_ok"] = m["attribution"] == m["true_attribution"]
    return m


def _row(group: str, expected: pd.DataFrame, preds: pd.DataFrame) -> dict:
    found = int(preds["correct"].sum())
    correct = preds[preds["correct"]]
    return {"group": group, "truth_pairs": len(expected), "found": found,
            "recall": found / len(expected) if len(expected) else np.nan,
            "predicted": len(preds), "correct": found,
            "precision": found / len(preds) if len(preds) else np.nan,
            "attribution_accuracy": correct["attribution_ok"].mean() if len(correct) else np.nan}


def evaluate(truth: pd.DataFrame, matches: pd.DataFrame) -> pd.DataFrame:
    """One row per group, then `kept>=0.5` and `all` (columns COLUMNS)."""
    m = label(truth, matches)
    t = truth.assign(group=truth["edit"].where(truth["kind"] == "reprint", truth["kind"]))
    expected = t[(t["kind"] == "reprint") & (t["group"] != "too_early")]
    rows = [_row(g, expected[expected["group"] == g], m[m["group"] == g])
            for g in sorted(t["group"].dropna().unique())]
    half = expected[expected["kept"] >= 0.5]
    in_scope = m[~(m["correct"] & (m["kept"] < 0.5))]
    rows.append(_row("kept>=0.5", half, in_scope))
    rows.append(_row("all", expected, m))
    return pd.DataFrame(rows, columns=COLUMNS)
