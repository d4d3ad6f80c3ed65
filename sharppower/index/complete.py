"""Completing the input panel before screening: declared zeros and stale values.

Two rules, both declared as data and both recorded cell by cell so that every score can
say what it rests on and the uncertainty analysis can vary them:

- **Declared zeros.** An indicator whose codebook entry says `absent: zero` comes from a
  source that looks at whole lists of countries (SIPRI's register, the BRI list, leaders'
  travel): a target of the panel with no record in a year the source looks at gets 0,
  marked in `zero`. Where the source declares its `Universe` (the targets and years it
  looks at, `sources.base.Universe`), zeros are completed only inside it: a target or a
  year outside the universe stays missing, never zero; zeros start at the first year
  the indicator is observed for that actor (an indicator may start later than its
  source: the investments of the leaders' file, 2005, against 2003 for the visits).
  Without a universe, the years observed for that actor (first to last) bound them.
  Years in which the target has
  no observation at all stay missing; indicators the codebook restricts to some actors
  are completed for those actors only.
- **Stale values.** Past the last year an indicator is observed for an actor (its source
  ends: IMF DOTS in 2020, leaders' engagements in 2018), a target's last value is carried
  forward for at most `max_age` years; `age` holds the years since the observation (0 =
  observed that year). A value is never carried into a year before the source ends: a gap
  inside the source's span is missing data, not staleness.

`complete(values, absent, applies, max_age, universes)` returns (values, age, zero): three frames on
the panel's index and columns; `age` is NaN where the value is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sharppower.sources.base import Universe


@dataclass
class Completed:
    values: pd.DataFrame
    age: pd.DataFrame   # years since observation (0 observed, >0 carried forward), NaN missing
    zero: pd.DataFrame  # bool: a declared zero (no record in a source that covers all)


def _spans(values: pd.DataFrame) -> pd.DataFrame:
    """Per actor and indicator: first and last year with an observation."""
    long = values.stack().reset_index()
    long.columns = ["actor", "target", "year", "indicator", "value"]
    long = long[long["value"].notna()]
    return long.groupby(["actor", "indicator"])["year"].agg(["min", "max"])


def inside(universe: Universe, targets: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Per row, True when the universe looks at that target in that year."""
    first, last = universe.years
    ok = (years >= first) & (years <= last) & ((years - first) % max(universe.every, 1) == 0)
    if universe.targets != "all":
        ok &= np.isin(targets, list(universe.targets))
    return ok


def _declared_zeros(values: pd.DataFrame, spans: pd.DataFrame, absent: dict[str, str],
                    applies: dict[str, list[str] | None],
                    universes: dict[str, Universe]) -> np.ndarray:
    actors = values.index.get_level_values("actor").to_numpy()
    targets = values.index.get_level_values("target").to_numpy()
    years = values.index.get_level_values("year").to_numpy()
    zero = np.zeros(values.shape, dtype=bool)
    X = values.to_numpy(dtype=float)
    for k, code in enumerate(values.columns):
        if absent.get(code) != "zero":
            continue
        looked_at = (inside(universes[code], targets, years) if code in universes
                     else np.ones(len(years), dtype=bool))
        for actor in pd.unique(actors):
            if applies.get(code) is not None and actor not in applies[code]:
                continue
            if (actor, code) not in spans.index:
                continue
            lo, hi = spans.loc[(actor, code)]
            if code in universes:  # the universe's years, from the actor's first observed
                hi = universes[code].years[1]
            rows = ((actors == actor) & looked_at & (years >= lo) & (years <= hi)
                    & np.isnan(X[:, k]))
            zero[rows, k] = True
    return zero


def _carry(values: pd.DataFrame, spans: pd.DataFrame, max_age: int) -> tuple[np.ndarray, np.ndarray]:
    """Forward fill past each actor x indicator's last observed year, up to max_age years."""
    X = values.to_numpy(dtype=float).copy()
    age = np.where(np.isnan(X), np.nan, 0.0)
    if max_age <= 0 or X.size == 0:
        return X, age
    idx = values.index
    actors = idx.get_level_values("actor").to_numpy()
    years = idx.get_level_values("year").to_numpy().astype(float)
    pair = pd.factorize(pd.MultiIndex.from_arrays([idx.get_level_values("actor"),
                                                   idx.get_level_values("target")]))[0]
    order = np.lexsort([years, pair])  # by (actor, target), then year
    groups = pd.Series(pair[order])
    ends = {key: float(v) for key, v in spans["max"].items()}  # (actor, code) -> last year
    ordered_actors = actors[order]
    for k, code in enumerate(values.columns):
        col = X[order, k]
        seen = ~np.isnan(col)
        last_val = pd.Series(col).groupby(groups).ffill().to_numpy()
        last_year = pd.Series(np.where(seen, years[order], np.nan)).groupby(groups).ffill().to_numpy()
        end_of = {a: ends.get((a, code), np.inf) for a in pd.unique(ordered_actors)}
        end = np.array([end_of[a] for a in ordered_actors], dtype=float)
        gap = years[order] - last_year
        carry = ~seen & ~np.isnan(last_year) & (years[order] > end) & (gap <= max_age)
        X[order[carry], k] = last_val[carry]
        age[order[carry], k] = gap[carry]
    return X, age


def full_grid(values: pd.DataFrame, max_age: int) -> pd.DataFrame:
    """Rows for every target of an actor in every year from the actor's first to its last
    year in the panel, so that a value can be carried into a year in which the target has
    no fresh observation at all (rows left empty are dropped by the engine)."""
    if max_age <= 0 or values.empty:
        return values
    idx = values.index.to_frame(index=False)
    parts = []
    for actor, rows in idx.groupby("actor", sort=True):
        years = range(int(rows["year"].min()), int(rows["year"].max()) + 1)
        parts.append(pd.MultiIndex.from_product([[actor], sorted(rows["target"].unique()), years],
                                                names=["actor", "target", "year"]))
    grid = parts[0].append(parts[1:]) if len(parts) > 1 else parts[0]
    return values.reindex(grid).sort_index()


def complete(values: pd.DataFrame, absent: dict[str, str],
             applies: dict[str, list[str] | None], max_age: int = 0,
             universes: dict[str, Universe] | None = None) -> Completed:
    """Declared zeros inside each source's universe (from the actor's first observed year;
    the observed span when the source declares no universe),
    then stale values past its end (on the full actor x target x year grid when values
    may be carried)."""
    if values.empty:
        empty = values.astype(float)
        return Completed(values, empty.copy(), empty.astype(bool))
    spans = _spans(values)
    zero = pd.DataFrame(_declared_zeros(values, spans, absent, applies, universes or {}),
                        index=values.index, columns=values.columns)
    filled = full_grid(values.mask(zero, 0.0), max_age)  # zeros only where a row was observed
    zero = zero.reindex(filled.index, fill_value=False).astype(bool)
    X, age = _carry(filled, spans, int(max_age))
    frame = lambda a: pd.DataFrame(a, index=filled.index, columns=filled.columns)
    return Completed(frame(X), frame(age), zero)
