"""Matching parameters with their defaults (chosen from the synthetic evaluation,
tests/test_media_evaluation.py; see the README's media section)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class MatchParams:
    shingle: int = 5            # words per shingle
    num_perm: int = 128         # MinHash permutations
    bands: int = 64             # LSH bands (num_perm / bands rows each): candidates from Jaccard ~0.1
    seed: int = 1               # MinHash seed (the same in both engines)
    min_containment: float = 0.3  # share of the wire article's shingles found in the local one
    min_jaccard: float = 0.0    # Jaccard of the two shingle sets (0: containment decides)
    min_shingles: int = 10      # wire articles with fewer shingles are not matched
    lead_days: int = 1          # a local article may precede its wire source by this much
    lookback_days: int = 30     # and follow it by at most this much
    batch: int = 1000           # documents per shingling/matching batch

    def __post_init__(self) -> None:
        if self.num_perm % self.bands:
            raise ValueError(f"bands ({self.bands}) must divide num_perm ({self.num_perm})")

    def as_dict(self) -> dict:
        return asdict(self)
