"""Observations -> the index's input panel (one row per actor x target x year).

Rules: only the spec's indicators; rows whose flags hold one of `skip_flags` (default
"suspect") are skipped; when a real source and the starter data give the same indicator
x actor x target x year, the starter row is dropped; rows with actor NULL (properties of
the target, such as press freedom) are copied to every actor; an indicator the codebook
restricts to some actors is used for those only; a target never scores against itself
nor against its own territories (the codebook's `territories`, e.g. Hong Kong for China);
values left for the same cell by several sources are averaged (counted in the notes).
Then the panel is completed (`index.complete`): declared zeros inside each source's
universe (the targets and years it looks at; its span of years when it declares none)
and stale values (carried past the source's end for at most `observations.max_age`
years), each recorded cell by cell in `zero` and `age`; `se` keeps the standard error a
source gives for a value (survey estimates, WGI) for the uncertainty analysis.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from sharppower.index.complete import Completed, complete
from sharppower.index.spec import Spec
from sharppower.store import Database
from sharppower.store.tables import countries, observations, sources

UNIT = ["actor", "target", "year"]
CELL = ["indicator", "actor", "target", "year"]


@dataclass
class Inputs:
    """`values`: DataFrame indexed by (actor, target, year), sorted, one float column per
    spec indicator (NaN = missing); `region`: Series of the target's region on the same
    index ("(none)" when unknown); `notes`: counts of what the loader left out."""

    values: pd.DataFrame
    region: pd.Series
    notes: dict[str, Any] = field(default_factory=dict)
    observed: dict[str, list[str]] | None = None  # per actor: indicators seen in any year
    se: pd.DataFrame | None = None    # standard error of a value (NaN: none given)
    age: pd.DataFrame | None = None   # years since observed (0; > 0 stale; NaN missing)
    zero: pd.DataFrame | None = None  # True: a declared zero (no record, source covers all)

    def _take(self, key) -> dict[str, pd.DataFrame | None]:
        return {k: (None if f is None else key(f)) for k, f in
                (("se", self.se), ("age", self.age), ("zero", self.zero))}

    def cell_frame(self, name: str) -> pd.DataFrame:
        """`se`, `age` or `zero` on the panel's index and columns (filled when absent)."""
        frame = getattr(self, name)
        if frame is not None:
            return frame
        fill = {"se": np.nan, "age": np.nan, "zero": False}[name]
        out = pd.DataFrame(fill, index=self.values.index, columns=self.values.columns)
        if name == "age":
            out = out.mask(self.values.notna(), 0.0)
        return out

    @property
    def units(self) -> pd.MultiIndex:
        return self.values.index

    def seen(self) -> dict[str, list[str]]:
        """Per actor, the indicators with a value in some year (of the whole store when
        this panel was cut to some years)."""
        if self.observed is not None:
            return self.observed
        actors = self.units.get_level_values("actor")
        return {a: [c for c in self.values.columns if self.values[c][actors == a].notna().any()]
                for a in pd.unique(actors)}

    def subset(self, mask: np.ndarray) -> Inputs:
        return Inputs(self.values[mask], self.region[mask], dict(self.notes), self.observed,
                      **self._take(lambda f: f[mask]))

    def sorted(self) -> Inputs:
        """The same panel in (actor, target, year) order with columns in `columns` order."""
        if self.values.index.is_monotonic_increasing:
            return self
        order = np.lexsort([self.units.get_level_values(k) for k in reversed(UNIT)])
        return Inputs(self.values.iloc[order], self.region.iloc[order], dict(self.notes),
                      self.observed, **self._take(lambda f: f.iloc[order]))


def _flagged(flags: pd.Series, skip: list[str]) -> np.ndarray:
    def bad(text: Any) -> bool:
        if not isinstance(text, str) or not text.strip():
            return False
        try:
            items = json.loads(text)
        except ValueError:
            return False
        return isinstance(items, list) and any(str(i) in skip for i in items)

    return np.array([bad(v) for v in flags], dtype=bool)


def _prefer_real(obs: pd.DataFrame) -> pd.DataFrame:
    starter = obs["starter"].fillna(False).astype(bool)
    real_cells = obs.loc[~starter, CELL].drop_duplicates()
    hit = obs[CELL].merge(real_cells.assign(_real=True), on=CELL, how="left")["_real"]
    return obs[~(starter.to_numpy() & hit.notna().to_numpy())]


def _broadcast(obs: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    own = obs[obs["actor"].notna() & obs["actor"].isin(spec.actors)]
    shared = obs[obs["actor"].isna()]
    copies = [shared.assign(actor=a) for a in spec.actors]
    out = pd.concat([own, *copies], ignore_index=True)
    limited = [i for i, actors in spec.applies.items() if actors is not None]
    pairs = [(i, a) for i in limited for a in spec.applies[i]]
    allowed = ~out["indicator"].isin(limited).to_numpy() | pd.MultiIndex.from_arrays(
        [out["indicator"], out["actor"]]).isin(pairs)
    own = [(a, t) for a in spec.actors for t in [a, *spec.territories.get(a, [])]]
    theirs = ~pd.MultiIndex.from_arrays([out["actor"], out["target"]]).isin(own)
    return out[allowed & theirs]


def _region(regions: dict | None, target: str) -> str:
    value = (regions or {}).get(target)
    return "(none)" if value is None or pd.isna(value) or value == "" else str(value)


def inputs_from_observations(obs: pd.DataFrame, spec: Spec,
                             regions: dict[str, str | None] | None = None) -> Inputs:
    """Build the panel from observation rows (columns actor, target, year, indicator,
    value; optional flags and starter)."""
    obs = obs[obs["indicator"].isin(spec.needed)].copy()
    first = spec.observations.get("first_year")
    if first is not None:
        obs = obs[obs["year"].astype(int) >= int(first)]
    notes: dict[str, Any] = {"rows": len(obs)}
    if "flags" in obs:
        bad = _flagged(obs["flags"], list(spec.observations.get("skip_flags") or []))
        notes["skipped_flagged"] = int(bad.sum())
        obs = obs[~bad]
    if "starter" in obs and spec.observations.get("prefer_non_starter", True):
        before = len(obs)
        obs = _prefer_real(obs)
        notes["starter_replaced"] = before - len(obs)
    obs = obs[obs["value"].notna()]
    obs = obs.astype({"year": int, "value": float})
    if "se" in obs:
        obs["se"] = pd.to_numeric(obs["se"], errors="coerce").astype(float)
    obs = _broadcast(obs, spec)
    grouped = obs.groupby(CELL)["value"]
    notes["cells_averaged"] = int((grouped.size() > 1).sum())
    values = _wide(grouped.mean(), spec)
    se = _wide(obs.groupby(CELL)["se"].mean(), spec) if "se" in obs else None
    done = with_derived(complete(values, spec.absent, spec.applies, spec.max_age,
                                    spec.universes), spec)
    done = _drop_empty(done)
    if se is not None:
        se = se.reindex(index=done.values.index, columns=spec.indicators)
    notes["declared_zeros"] = int(done.zero.to_numpy().sum())
    notes["stale_values"] = int((done.age.to_numpy() > 0).sum())
    values = done.values
    targets = values.index.get_level_values("target")
    region = pd.Series([_region(regions, t) for t in targets], index=values.index, dtype=object)
    notes["units"] = len(values)
    return Inputs(values, region, notes, se=se, age=done.age, zero=done.zero)


def _drop_empty(done: Completed) -> Completed:
    """Rows of the completed grid with no value at all leave the panel."""
    keep = done.values.notna().any(axis=1).to_numpy()
    if keep.all():
        return done
    return Completed(done.values[keep], done.age[keep], done.zero[keep])


def with_derived(done: Completed, spec: Spec) -> Completed:
    """Add the spec's derived indicators (numerator / denominator; age the older of the two,
    a declared zero when the numerator is one) and keep the spec's indicators only."""
    values, age, zero = done.values.copy(), done.age.copy(), done.zero.copy()
    for code, (num, den) in spec.derived.items():
        d = values[den].where(values[den] > 0)
        values[code] = values[num] / d
        age[code] = np.fmax(age[num], age[den]).where(values[code].notna())
        zero[code] = zero[num] & values[code].notna()
        if spec.applies.get(code):
            mine = values.index.get_level_values("actor").isin(spec.applies[code])
            values.loc[~mine, code] = np.nan
            age.loc[~mine, code] = np.nan
            zero.loc[~mine, code] = False
    cols = list(spec.indicators)
    return Completed(values[cols], age[cols], zero[cols].astype(bool))


def _wide(long: pd.Series, spec: Spec) -> pd.DataFrame:
    """(indicator, actor, target, year) series -> the panel: units x the indicators read."""
    if len(long):
        values = long.unstack("indicator").reindex(columns=spec.needed)
    else:
        empty = pd.MultiIndex.from_arrays([[], [], []], names=UNIT)
        values = pd.DataFrame(index=empty, columns=spec.needed)
    values.columns = list(spec.needed)
    return values.astype(float).sort_index()


def read_observations(db: Database, spec: Spec, actors: list[str] | None = None,
                      years: tuple[int | None, int | None] | None = None) -> pd.DataFrame:
    o, s = observations.c, sources.c
    stmt = (sa.select(o.actor, o.target, o.year, o.indicator, o.value, o.se, o.flags, o.source,
                      s.starter)
            .select_from(observations.outerjoin(sources, s.name == o.source))
            .where(o.indicator.in_(spec.needed)))
    if actors:
        stmt = stmt.where(sa.or_(o.actor.in_(actors), o.actor.is_(None)))
    if years and years[0] is not None:
        stmt = stmt.where(o.year >= years[0])
    if years and years[1] is not None:
        stmt = stmt.where(o.year <= years[1])
    return db.read(stmt)


def read_regions(db: Database) -> dict[str, str | None]:
    df = db.read(sa.select(countries.c.iso3, countries.c.region))
    return dict(zip(df["iso3"], df["region"]))


def observed_indicators(db: Database, spec: Spec, actors: list[str]) -> dict[str, list[str]]:
    """Per actor, the spec's indicators with a usable value in some year (the same rules
    as the panel: flags skipped, target properties shared, no self-scoring)."""
    o = observations.c
    cond = [o.indicator.in_(spec.needed), o.value.is_not(None)]
    for flag in spec.observations.get("skip_flags") or []:
        cond.append(sa.or_(o.flags.is_(None), sa.not_(o.flags.like(f'%"{flag}"%'))))
    out = {}
    for actor in actors:
        stmt = sa.select(o.indicator).distinct().where(
            *cond, o.target.not_in([actor, *spec.territories.get(actor, [])]), sa.or_(o.actor == actor, o.actor.is_(None)))
        codes = set(db.read(stmt)["indicator"])
        codes |= {c for c, (num, den) in spec.derived.items() if num in codes and den in codes}
        out[actor] = [c for c in spec.indicators if c in codes
                      and (spec.applies.get(c) is None or actor in spec.applies[c])]
    return out


def load_inputs(db: Database, spec: Spec, actors: list[str] | None = None,
                years: tuple[int | None, int | None] | None = None) -> Inputs:
    """Read the store's observations for the spec (optionally some actors or years)."""
    first = spec.observations.get("first_year")
    if first is not None:
        years = (max(int(first), (years or (None, None))[0] or int(first)),
                 (years or (None, None))[1])
    obs = read_observations(db, spec, actors, years)
    inputs = inputs_from_observations(obs, spec, read_regions(db))
    if actors:
        keep = inputs.units.get_level_values("actor").isin(actors)
        inputs = inputs.subset(np.asarray(keep))
    if years:
        inputs.observed = observed_indicators(db, spec, actors or spec.actors)
    return inputs
