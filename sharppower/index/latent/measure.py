"""Run the latent model on the pillars a spec names: `measure(spec, inputs, nominal, db)`.

For each actor and each pillar of `spec.latent_pillars`: the pillar's observations
(`pillar_data`), a fit (from the store's cache when the fingerprint is unchanged, else
warm-started from the stored fit), the stored fit's diagnostics, and the scores of the
target-years at least one of the pillar's sources observed that year (`scored_cells`:
inside a source's universe, a declared zero included; stale values are no observation). A
target-year outside every source's universe, or with only stale values, is not scored
("not covered by any source"): the random walk would carry it with an interval hardly
wider than an observed one (its step is small), a score resting on no evidence of the
year. An actor x pillar fed by fewer than MIN_SOURCES (2) sources is not fitted
(nothing to combine; its composite score stays, `Measured.notes`). Every index with a latent pillar is then computed per draw
(`outputs.index_draws`) from the latent pillars' draws and the composite's other pillars.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sharppower.index.inputs import Inputs
from sharppower.index.latent import outputs
from sharppower.index.latent.data import PillarData, pillar_data
from sharppower.index.latent.fit import PillarFit, fit_pillar
from sharppower.index.spec import Spec


@dataclass
class Measured:
    """`scores`: outputs.COLUMNS for the latent pillars and the indices computed per draw;
    `fits`: (actor, pillar) -> PillarFit; `warnings`: failed convergence."""

    scores: pd.DataFrame
    fits: dict[tuple[str, str], PillarFit] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


MIN_SOURCES = 2  # a latent pillar combines sources: with one, the composite is kept


def settings_of(spec: Spec) -> dict[str, Any]:
    m = spec.measurement
    return {k: m[k] for k in ("steps", "draws", "seed", "lr")}


def data_for(spec: Spec, inputs: Inputs, actor: str, pillar: str) -> PillarData:
    """The pillar's observations for one actor, the domains `measurement.leave_out` names
    left out (they stay in the composite)."""
    out = set(spec.measurement.get("leave_out") or [])
    codes = [c for dom, codes in spec.pillars[pillar].items() if dom not in out for c in codes]
    info = spec.kinds
    return pillar_data(inputs.values, inputs.age, actor, pillar, codes,
                       {c: info.get(c, {}).get("type", "continuous") for c in codes},
                       spec.directions,
                       {c: info.get(c, {}).get("source", c) for c in codes},
                       {c: info.get(c, {}).get("exposure") for c in codes})


def scored_cells(data: PillarData) -> np.ndarray:
    """(T, Y): the target-years with at least one observation of the pillar (a declared
    zero inside a source's universe is one; a stale value is none). The others are not
    covered: before a target's first observation no source has looked (the prior alone
    would put it at the median); between and after, the random walk alone would carry a
    score no source of the year supports, its interval hardly wider than an observed one
    (issue 22: a target seen by fewer sources gets a wider interval, or no score)."""
    keep = np.zeros((len(data.targets), len(data.years)), bool)
    keep[data.obs["t"].to_numpy(int), data.obs["y"].to_numpy(int)] = True
    return keep


def _pillar_scores(fit: PillarFit, score: np.ndarray, keep: np.ndarray) -> pd.DataFrame:
    d = fit.data
    n_ind, n_src = d.seen_counts()
    return outputs.summarise(d.actor, d.pillar, d.targets, d.years, score, fit.theta,
                             n_ind, n_src, keep)


def stored_fits(db, spec: Spec, inputs: Inputs) -> dict:
    """(actor, pillar) -> the store's fit (StoredFit or None) for every actor x latent
    pillar `measure` may fit: its cache and warm start, read ahead (`measure(stored=...)`
    then needs no store)."""
    from sharppower.index.latent import store

    every = pd.unique(inputs.units.get_level_values("actor"))
    return {(a, p): store.stored_fit(db, a, p) for a in every for p in spec.latent_pillars}


def measure(spec: Spec, inputs: Inputs, nominal: pd.DataFrame | None = None,
            db=None, actors: list[str] | None = None, stored: dict | None = None) -> Measured:
    """Fit the latent pillars of every actor (cache and warm start from `db` when given;
    fits are stored there) and compute the indices per draw. `nominal`: the composite
    run's scores indexed (actor, target, year), one column per node. `stored` (from
    `stored_fits`) gives the cache and warm starts instead of `db`; the fits are then
    stored by the caller (`save_fits`)."""
    from sharppower.index.latent import store

    settings = settings_of(spec)
    pillars = spec.latent_pillars
    out = Measured(pd.DataFrame(columns=outputs.COLUMNS))
    if not pillars or inputs.values.empty:
        return out
    frames = []
    every = list(pd.unique(inputs.units.get_level_values("actor")))
    for actor in actors or every:
        drawn: dict[str, tuple[list[str], list[int], np.ndarray]] = {}
        for pillar in pillars:
            data = data_for(spec, inputs, actor, pillar)
            if data.obs.empty:
                continue
            n_src = len(set(data.sources.values()))
            if n_src < MIN_SOURCES:  # nothing to combine: the composite stays
                out.notes.append(f"latent model {actor} {pillar}: {n_src} source, the "
                                 "composite score is kept")
                continue
            if stored is not None:
                prior = stored.get((actor, pillar))
            else:
                prior = store.stored_fit(db, actor, pillar) if db is not None else None
            fit = fit_pillar(data, settings, prior)
            if db is not None:
                store.save_fit(db, fit, settings)
            out.fits[(actor, pillar)] = fit
            if fit.warning:
                out.warnings.append(fit.warning)
            keep = scored_cells(data)
            score = outputs.display(fit.theta, keep)
            score[:, ~keep] = np.nan  # not covered: no score, and no index from it
            drawn[pillar] = (data.targets, data.years, score)
            frames.append(_pillar_scores(fit, score, keep))
        if nominal is not None and drawn:
            frames += _indices(spec, actor, drawn, nominal, settings["draws"])
    if frames:
        out.scores = pd.concat(frames, ignore_index=True).reindex(columns=outputs.COLUMNS)
    return out


def save_fits(db, spec: Spec, measured: Measured) -> None:
    """Store the fits of a `measure(stored=...)` run, in the order it made them."""
    from sharppower.index.latent import store

    settings = settings_of(spec)
    for fit in measured.fits.values():
        store.save_fit(db, fit, settings)


def _indices(spec: Spec, actor: str, drawn: dict, nominal: pd.DataFrame,
             draws: int) -> list[pd.DataFrame]:
    mine = nominal.xs(actor, level="actor") if actor in nominal.index.get_level_values(
        "actor") else None
    if mine is None:
        return []
    targets = sorted(pd.unique(mine.index.get_level_values("target")))
    years = sorted(int(y) for y in pd.unique(mine.index.get_level_values("year")))
    frames = []
    for name, members in spec.indices.items():
        if not any(p in drawn for p in members):
            continue
        idx = outputs.index_draws(members, drawn, mine, targets, years, draws)
        keep = ~np.isnan(idx).any(axis=0)
        frames.append(outputs.summarise(actor, name, targets, years, idx, keep=keep))
    return frames
