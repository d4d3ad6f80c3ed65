"""Verification of a candidate on the shingles themselves, and the date window."""

from __future__ import annotations

import numpy as np

from sharppower.measures.media.params import MatchParams


def overlap_scores(wire: np.ndarray, local: np.ndarray) -> tuple[float, float]:
    """(containment of the wire article in the local one, Jaccard) of two sorted distinct
    shingle-hash arrays. Containment = |W & L| / |W|; Jaccard = |W & L| / |W | L|."""
    if len(wire) == 0 or len(local) == 0:
        return 0.0, 0.0
    common = len(np.intersect1d(wire, local, assume_unique=True))
    return common / len(wire), common / (len(wire) + len(local) - common)


def accepted(containment, jaccard, params: MatchParams):
    """Whether the scores pass the thresholds (floats or arrays, elementwise)."""
    return (containment >= params.min_containment) & (jaccard >= params.min_jaccard)


def in_window(local_day: np.ndarray, wire_day: np.ndarray, params: MatchParams) -> np.ndarray:
    """A local article may precede its wire source by at most `lead_days` and follow it by
    at most `lookback_days` (days as integers)."""
    gap = np.asarray(local_day) - np.asarray(wire_day)
    return (gap >= -params.lead_days) & (gap <= params.lookback_days)
