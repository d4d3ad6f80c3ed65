"""Per-label precision, recall and F1 of multi-label predictions (tool labels, techniques)."""

from __future__ import annotations

import numpy as np


def per_label(truth: list[list[str]], pred: list[list[str]], labels: list[str]) -> dict:
    """label -> precision, recall, f1 (4 decimals) and support, over aligned truth/pred lists."""
    out = {}
    for name in labels:
        t = np.array([name in ls for ls in truth])
        p = np.array([name in ls for ls in pred])
        tp = float(np.sum(t & p))
        prec = tp / p.sum() if p.sum() else 0.0
        rec = tp / t.sum() if t.sum() else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[name] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4),
                     "support": int(t.sum())}
    return out
