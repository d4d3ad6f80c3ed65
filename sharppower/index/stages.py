"""The six stages in order, their registries, and the one dispatch of the data stages.

`transform(...)` runs impute -> treat -> normalise under a log's arguments; the nominal
run (`run.execute`) and the Monte Carlo (`propagate.Propagator`) both call it, the latter
with a memo that reuses a stage's result across replications. `years_needed(log)` says
which years a one-year recompute must read, from the methods' declared properties.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sharppower.index.aggregate import AGGREGATORS
from sharppower.index.impute import IMPUTERS
from sharppower.index.methods import Registry
from sharppower.index.normalise import NORMALISERS, normalise
from sharppower.index.screen import SCREENERS
from sharppower.index.treat import TREATERS
from sharppower.index.weight import WEIGHTERS

STAGES = ("screen", "impute", "treat", "normalise", "weight", "aggregate")
DATA_STAGES = ("impute", "treat", "normalise")
REGISTRIES: dict[str, Registry] = {
    "screen": SCREENERS, "impute": IMPUTERS, "treat": TREATERS, "normalise": NORMALISERS,
    "weight": WEIGHTERS, "aggregate": AGGREGATORS}
Memo = Callable[[str, Callable[[], Any]], Any]


@dataclass
class Transformed:
    imputed: pd.DataFrame
    treated: pd.DataFrame
    treatment: pd.DataFrame
    normalised: pd.DataFrame


def _compute(stage: str, compute: Callable[[], Any]) -> Any:
    return compute()


ABSENT = ("declared", "missing")


def transform(values: pd.DataFrame, cells: np.ndarray, region: pd.Series,
              directions: np.ndarray, log: dict, memo: Memo | None = None,
              zero: pd.DataFrame | None = None) -> Transformed:
    """Impute, treat and normalise `values` (screened to `cells`) under the log's
    arguments. `memo(stage, compute)` may return an earlier result of the stage for the
    same log (default: compute every stage). With `impute.absent: missing` the declared
    zeros (`zero`) become missing values before imputation."""
    memo = memo or _compute
    absent = log["impute"].get("absent", "declared")
    if absent not in ABSENT:
        raise ValueError(f"impute.absent: one of {', '.join(ABSENT)}, not {absent!r}")
    if absent == "missing" and zero is not None:
        values = values.mask(zero.to_numpy(dtype=bool))
    imputed = memo("impute", lambda: IMPUTERS.call(log["impute"], values, cells, region))
    treated, report = memo("treat", lambda: TREATERS.call(log["treat"], imputed))
    normalised = normalise(treated, directions, **log["normalise"])
    return Transformed(imputed, treated, report, normalised)


def years_needed(log: dict) -> str:
    """'all' when a stage's method pools the years of an actor, 'earlier' when one needs
    the unit's earlier years, else 'year' (the year alone)."""
    chosen = [(REGISTRIES[s].method(log[s]), log[s]) for s in STAGES]
    if any(m.is_pooled(args) for m, args in chosen):
        return "all"
    if any(m.needs_earlier_years(args) for m, args in chosen):
        return "earlier"
    return "year"
