"""Matching parameters with their defaults (chosen from the synthetic evaluation,
tests/test_media_evaluation.py; see the README's media section).

Every value is checked when the parameters are made (`MatchParams(...)`), before any
corpus is read, so the compiled kernels never see an invalid argument (a shingle of 0
words crashed them): a value of the wrong type, outside its range, or not finite is a
ValidationError naming the field and the `media match` option that sets it."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

from sharppower.errors import ValidationError

# field -> (least, greatest) allowed; whole numbers unless the default is a float
RANGES: dict[str, tuple[float, float]] = {
    "shingle": (1, 100), "num_perm": (1, 4096), "bands": (1, 4096), "seed": (0, 2**63 - 1),
    "min_containment": (0.0, 1.0), "min_jaccard": (0.0, 1.0), "min_shingles": (0, 1_000_000),
    "lead_days": (0, 3660), "lookback_days": (0, 3660), "batch": (1, 1_000_000),
}
OPTIONS = {"lookback_days": "--lookback"}  # the CLI option of a field, when not --<field>


def option_of(name: str) -> str:
    return OPTIONS.get(name, "--" + name.replace("_", "-"))


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
        for spec in fields(self):
            _check(spec.name, getattr(self, spec.name), isinstance(spec.default, float))
        if self.num_perm % self.bands:
            raise _invalid("bands", self.bands, f"must divide num_perm ({self.num_perm}) "
                           "evenly, e.g. 16, 32 or 64 of 128")

    def as_dict(self) -> dict:
        return asdict(self)


def _invalid(name: str, value: object, rule: str) -> ValidationError:
    return ValidationError(name, f"{value!r} is not allowed (option {option_of(name)}): {rule}",
                           where="match parameters")


def _check(name: str, value: object, real: bool) -> None:
    low, high = RANGES[name]
    kinds = (int, float) if real else (int,)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise _invalid(name, value, "must be a number" if real else "must be a whole number")
    if real and not math.isfinite(value):
        raise _invalid(name, value, "must be a finite number")
    if not low <= value <= high:
        raise _invalid(name, value, f"must be between {low} and {high}")
