"""The latent pillars become the scores users see: overlay them onto a composite run.

`overlay(run, measured, spec)` is called by the build (index.build) after the composite
run and its Monte Carlo, before the run is stored. For every latent pillar (the spec's
`measurement.pillars`, e.g. pressure) and every index containing one, per actor, target
and year, the run's score table takes the latent model's values:

- `run.scores` / `run.ranks` / `run.coverage`: score (posterior mean of the 0-100 display
  value), rank (of that mean; 1 = most), coverage (share of the pillar's domains seen for
  the target, among those the actor has any observation of; 1 for an index, which needs
  every pillar);
- `run.uncertainty`: score_low / score_high (2.5% / 97.5% of the draws), rank_low /
  rank_high = rank_p05 / rank_p95 (5% / 95% of the draws' ranks), rank_median;
- `run.extra["component_detail"]`: what each overlaid score rests on (index.detail reads
  it): for a latent pillar, the domains with an observation of the target in that year
  or before (the random walk carries them forward), each stale by the years since its
  last observation ("cyber_operations:3"), and the declared zeros of the year; for an
  index, its composite pillars' components and the latent pillar's.

An actor whose pillar the model did not fit (fewer than two sources: latent.measure)
keeps the composite's scores. A target-year the latent model scores that the composite
did not (a partial source only) gets a score where the run has the unit (a target-year
without any unit in the run, a territory no other source sees or a year past the run's
last, is counted in `Overlay.outside`, not shown); one no pressure source has seen has no score
("not covered", never 0). The composite scores of the overlaid nodes are returned
(`Overlay.composite`, latent_scores rows with node "composite:<node>") so that
`validate --against` compares both methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sharppower.index.latent.outputs import COLUMNS

KEYS = ["actor", "target", "year"]
DETAIL_COLUMNS = ["actor", "target", "year", "node", "components", "stale_components",
                  "max_stale_age", "imputed_components", "zero_components"]
COMPOSITE_PREFIX = "composite:"


@dataclass
class Overlay:
    """`nodes`: the nodes overlaid; `composite`: their composite scores (latent_scores
    columns, node "composite:<node>"); `outside`: latent target-years without a unit in
    the run (not shown), per node; `added`: target-years scored by the latent model only."""

    nodes: list[str]
    composite: pd.DataFrame
    outside: dict[str, int] = field(default_factory=dict)
    added: dict[str, int] = field(default_factory=dict)


def overlaid_nodes(spec) -> list[str]:
    """The latent pillars and the indices that contain one."""
    pillars = list(spec.latent_pillars)
    return pillars + [name for name, members in spec.indices.items()
                      if any(p in pillars for p in members)]


def composite_rows(run, nodes: list[str]) -> pd.DataFrame:
    """The composite run's scores of `nodes` as latent_scores rows (node prefixed)."""
    long = run.long()
    long = long[long["node"].isin(nodes)]
    out = long.assign(node=COMPOSITE_PREFIX + long["node"])
    return out.reindex(columns=COLUMNS)


def pillar_detail(fit, spec, zero: pd.DataFrame | None) -> pd.DataFrame:
    """DETAIL_COLUMNS of a latent pillar's scored target-years (see the module doc)."""
    d = fit.data
    order = list(spec.pillars[d.pillar])
    dom_of = {c: k for k, dom in enumerate(order) for c in spec.pillars[d.pillar][dom]}
    T, Y, D = len(d.targets), len(d.years), len(order)
    t = d.obs["t"].to_numpy(int)
    y = d.obs["y"].to_numpy(int)
    k = np.array([dom_of[d.indicators[i]] for i in d.obs["i"]], dtype=int)
    # last year (index) each domain was seen per target, carried forward (-1: not yet)
    last = np.full((T, Y, D), -1)
    last[t, y, k] = y
    np.maximum.accumulate(last, axis=1, out=last)
    first = np.full(T, Y)
    np.minimum.at(first, t, y)
    zero_dom = _zero_domains(zero, spec, d)
    rows = []
    for ti in np.flatnonzero(first < Y):
        target = d.targets[ti]
        for yi in range(int(first[ti]), Y):
            year = d.years[yi]
            seen = last[ti, yi]
            present = [order[j] for j in range(D) if seen[j] >= 0]
            stale = [f"{order[j]}:{yi - seen[j]}" for j in range(D) if 0 <= seen[j] < yi]
            age = max((yi - int(seen[j]) for j in range(D) if 0 <= seen[j] < yi), default=0)
            zflags = zero_dom.get((target, year))
            zeros = "" if zflags is None else ";".join(
                order[j] for j in range(D) if seen[j] >= 0 and zflags[j])
            rows.append((d.actor, target, year, d.pillar, ";".join(present), ";".join(stale),
                         age, "", zeros))
    return pd.DataFrame(rows, columns=DETAIL_COLUMNS)


def _zero_domains(zero: pd.DataFrame | None, spec, d) -> dict[tuple, np.ndarray]:
    """(target, year) -> per domain of the pillar (in order), whether any of its
    indicators is a declared zero for the actor (the rows of `zero` for d.actor)."""
    if zero is None or zero.empty:
        return {}
    mine = zero[zero.index.get_level_values("actor") == d.actor]
    flags = np.column_stack([
        mine[[c for c in codes if c in mine.columns]].fillna(True).astype(bool).any(axis=1)
        .to_numpy() for codes in spec.pillars[d.pillar].values()])
    keys = zip(mine.index.get_level_values("target"), mine.index.get_level_values("year"))
    return dict(zip(keys, flags))


def _index_detail(spec, name: str, latent: pd.DataFrame, composite: pd.DataFrame,
                  units: pd.DataFrame) -> pd.DataFrame:
    """DETAIL_COLUMNS of an index's overlaid rows: its pillars' components in order."""
    key = pd.MultiIndex.from_frame(units[KEYS])
    texts = {col: [[] for _ in range(len(key))] for col in
             ("components", "stale_components", "imputed_components", "zero_components")}
    age = np.zeros(len(key), dtype=int)
    for p in spec.indices[name]:
        frame = latent if p in spec.latent_pillars else composite
        rows = frame[frame["node"] == p].set_index(KEYS).reindex(key)
        there = rows["node"].notna().to_numpy()
        for col, acc in texts.items():
            for i, v in enumerate(rows[col].to_numpy(object)):
                if there[i] and isinstance(v, str) and v:
                    acc[i].append(v)
        ages = rows["max_stale_age"].to_numpy(float)
        age = np.where(there, np.maximum(age, np.nan_to_num(ages, nan=0.0)), age).astype(int)
    out = units[KEYS].reset_index(drop=True).assign(node=name)
    for col, acc in texts.items():
        out[col] = [";".join(parts) for parts in acc]
    out["max_stale_age"] = age
    return out[DETAIL_COLUMNS]


def overlay(run, scores: pd.DataFrame, fits: dict, spec) -> Overlay:
    """Replace the run's scores of the latent pillars and their indices by the latent
    model's (`scores`: outputs.COLUMNS; `fits`: (actor, pillar) -> PillarFit). Mutates
    `run` (scores, ranks, coverage, uncertainty, extra["component_detail"])."""
    from sharppower.index.detail import component_detail

    nodes = [n for n in overlaid_nodes(spec) if n in run.scores.columns]
    result = Overlay(nodes, composite_rows(run, nodes))
    if not nodes:
        return result
    others = [p for name in nodes if name in spec.indices for p in spec.indices[name]
              if p not in spec.latent_pillars]
    composite_detail = component_detail(run, nodes=list(dict.fromkeys(others)))
    zero = _zero_frame(run, spec)
    latent_detail = pd.concat(
        [pillar_detail(f, spec, zero) for (a, p), f in fits.items() if p in nodes]
        or [pd.DataFrame(columns=DETAIL_COLUMNS)], ignore_index=True)
    details = [latent_detail]
    units = run.scores.index
    unc = run.uncertainty
    new_unc = []
    fitted = {(a, p) for (a, p) in fits}
    for node in nodes:
        pillars = [node] if node in spec.latent_pillars else spec.indices[node]
        actors = sorted({a for (a, p) in fitted if p in pillars})
        mine = scores[(scores["node"] == node) & scores["actor"].isin(actors)].copy()
        mine["year"] = mine["year"].astype(int)
        key = pd.MultiIndex.from_frame(mine[KEYS])
        inside = key.isin(units)
        result.outside[node] = int((~inside).sum())
        mine = mine[inside]
        # ranks and counts among the target-years shown (a latent row outside the run's
        # units, rare, is left out: re-rank what remains)
        if result.outside[node]:
            mine = _rerank(mine)
        key = pd.MultiIndex.from_frame(mine[KEYS])
        before = run.scores[node].notna()
        result.added[node] = int((~before.reindex(key).to_numpy()).sum())
        theirs = units.get_level_values("actor").isin(actors)  # an actor without a fit
        for frame, col in ((run.scores, "score"), (run.ranks, "rank")):  # keeps the composite
            frame.loc[theirs, node] = np.nan
            frame.loc[key, node] = mine[col].to_numpy(float)
        run.coverage.loc[theirs, node] = np.nan
        if node in spec.latent_pillars:
            dd = latent_detail[latent_detail["node"] == node]
            n_comp = dd["components"].map(lambda s: len([x for x in s.split(";") if x]))
            avail = dd.assign(n=n_comp).groupby(["actor", "year"])["n"].transform("max")
            cov = pd.Series((n_comp / avail.where(avail > 0)).to_numpy(),
                            index=pd.MultiIndex.from_frame(dd[KEYS]))
            run.coverage.loc[key, node] = cov.reindex(key).to_numpy(float)
        else:
            run.coverage.loc[key, node] = 1.0
            details.append(_index_detail(spec, node, latent_detail, composite_detail,
                                         mine[KEYS]))
        new_unc.append(pd.DataFrame({
            "actor": mine["actor"].to_numpy(), "target": mine["target"].to_numpy(),
            "year": mine["year"].to_numpy(), "node": node,
            "rank_median": mine["rank_median"].to_numpy(float),
            "rank_low": np.fmin(mine["rank_low"], mine["rank"]).to_numpy(float),
            "rank_high": np.fmax(mine["rank_high"], mine["rank"]).to_numpy(float),
            "rank_p05": mine["rank_low"].to_numpy(float),
            "rank_p95": mine["rank_high"].to_numpy(float),
            "score_low": np.fmin(mine["score_low"], mine["score"]).to_numpy(float),
            "score_high": np.fmax(mine["score_high"], mine["score"]).to_numpy(float)}))
    if unc is not None:
        replaced = pd.Series(False, index=unc.index)
        for node in nodes:
            pillars = [node] if node in spec.latent_pillars else spec.indices[node]
            actors = {a for (a, p) in fitted if p in pillars}
            replaced |= (unc["node"] == node) & unc["actor"].isin(actors)
        kept = unc[~replaced]
        run.uncertainty = pd.concat([kept, *new_unc], ignore_index=True)[list(unc.columns)]
    run.extra["component_detail"] = pd.concat(details, ignore_index=True)
    run.extra["latent_overlay"] = {"nodes": nodes, "added": result.added,
                                   "outside": result.outside}
    return result


def _rerank(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    g = frame.groupby(["actor", "node", "year"])
    frame["rank"] = g["score"].rank(ascending=False, method="min")
    frame["n_ranked"] = g["score"].transform("count")
    return frame


def _zero_frame(run, spec) -> pd.DataFrame:
    """The run's declared-zero flags (actor, target, year) x indicator."""
    z = run.inputs.cell_frame("zero")
    codes = [c for p in spec.latent_pillars for cs in spec.pillars[p].values() for c in cs]
    return z[[c for c in codes if c in z.columns]]
