"""Groups of rows of the index's panel (indexed by actor, target, year) that the stages
work within: `cross_sections` (each actor x year) and `actor_groups` (all years of each
actor). Shared by screening, imputation, treatment, normalisation, ranking and the Monte
Carlo, so it depends on nothing else of the engine."""

from __future__ import annotations

import numpy as np
import pandas as pd


def cross_sections(units: pd.MultiIndex) -> list[np.ndarray]:
    """Positions of the units of each actor x year, in sorted order of (actor, year)."""
    if len(units) == 0:
        return []
    # each level factorised in sorted order and the codes combined: the order of sorted
    # (actor, year) pairs, without the tuples a MultiIndex's factorize builds (1.8 s of
    # the mirror's Monte Carlo)
    actor, _ = pd.factorize(units.get_level_values("actor"), sort=True)
    year, years = pd.factorize(units.get_level_values("year"), sort=True)
    if (actor < 0).any() or (year < 0).any():  # a missing actor or year: as pairs
        keys = pd.MultiIndex.from_arrays([units.get_level_values("actor"),
                                          units.get_level_values("year")])
        codes, _ = pd.factorize(keys, sort=True)
    else:
        codes = actor.astype(np.int64) * len(years) + year
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    return np.split(order, bounds)


def actor_groups(units: pd.MultiIndex) -> list[np.ndarray]:
    """Positions of the units of each actor (every year), in order of first appearance."""
    actors = units.get_level_values("actor")
    return [np.flatnonzero(actors == a) for a in pd.unique(actors)]


def groups(units: pd.MultiIndex, pooled: bool) -> list[np.ndarray]:
    """`actor_groups` when a method pools the years of an actor, else `cross_sections`."""
    return actor_groups(units) if pooled else cross_sections(units)
