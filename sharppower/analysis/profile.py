"""What a country profile shows, decided here rather than in a page: the attraction series
of a target with its highs, the latest value of each resilience covariate, and the years
in which both axes of the quadrant have data.

Each function takes `read(db, actor, name) -> measure frame` (default
:func:`sharppower.analysis.common.measure`) so that a caller can memoise the frames that
cover every target.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from sharppower.analysis.common import codebook, measure
from sharppower.analysis.disconnect import ATTRACTION_AXES, INFLUENCE_AXES
from sharppower.measures.opinion import api as opinion
from sharppower.store import Database

Read = Callable[[Database, str | None, str], pd.DataFrame]
ATTRACTION = ("att_favorable", "att_unfavorable")
POINT_FIELDS = ("year", "value", "ci_low", "ci_high", "n", "source")


def series_flags(db: Database, actor: str, code: str) -> pd.DataFrame:
    """The opinion engine's series flags (historic_high, series_high ...) of an attraction
    indicator for every public; empty when no survey estimate is stored (starter data)."""
    if opinion.estimates(db, actor).empty:
        return pd.DataFrame()
    return opinion.changes(db, actor, None, code.removeprefix("att_"))


def highs(points: list[dict], flags: pd.DataFrame) -> tuple[dict | None, list[dict]]:
    """The highest wave and the waves that set a historic high, as the opinion engine flags
    them in `flags` (one public's rows); without engine flags, the highest point given."""
    return _highest(points, *next(iter(flagged_highs(flags).values()), (None, [])))


def flagged_highs(flags: pd.DataFrame) -> dict[str, tuple[dict | None, list[dict]]]:
    """Per public of the opinion engine's `flags`, every public at once: its last wave
    flagged `series_high` (year, value; None without one) and the waves flagged
    `historic_high` (year, value records, in the flags' order)."""
    if flags.empty or "public" not in flags.columns:
        return {}
    top = flags[flags["series_high"].astype(bool)].groupby("public", sort=False).tail(1)
    last = {p: {"year": int(y), "value": float(v)}
            for p, y, v in zip(top["public"], top["year"], top["value"])}
    historic = flags[flags["historic_high"].astype(bool)]
    records: dict[str, list[dict]] = {}
    for p, rec in zip(historic["public"], historic[["year", "value"]].to_dict("records")):
        records.setdefault(p, []).append(rec)
    return {p: (last.get(p), records.get(p, [])) for p in pd.unique(flags["public"].dropna())}


def _highest(points: list[dict], high: dict | None, records: list[dict]
             ) -> tuple[dict | None, list[dict]]:
    """(`high`, else the highest of the `points` with a value; `records`)."""
    if high is None:
        have = [p for p in points if pd.notna(p["value"])]
        high = max(have, key=lambda p: p["value"]) if have else None
    return high, records


def attraction_series(db: Database, target: str, read: Read = measure,
                      flags: Callable[[Database, str, str], pd.DataFrame] = series_flags
                      ) -> list[dict]:
    """Per attraction indicator and actor: indicator, name, actor, actor_name, points
    (year, value, 95% interval, n, source), high, historic_highs, latest (last point with
    a value)."""
    return attraction_by_target(db, read, flags)(target)


def _points(frame: pd.DataFrame) -> dict[str, list[dict]]:
    """target -> its points (POINT_FIELDS, None for a field the frame lacks), by year."""
    if frame.empty or "target" not in frame.columns:
        return {}
    fields = [c for c in POINT_FIELDS if c in frame.columns]
    out: dict[str, list[dict]] = {}
    for target, rec in zip(frame["target"], frame[fields].to_dict("records")):
        out.setdefault(target, []).append({k: rec.get(k) for k in POINT_FIELDS})
    return {t: sorted(pts, key=lambda p: p["year"]) for t, pts in out.items()}


def attraction_by_target(db: Database, read: Read = measure,
                         flags: Callable[[Database, str, str], pd.DataFrame] = series_flags
                         ) -> Callable[[str], list[dict]]:
    """`attraction_series` of every target: each frame is read and split by target once;
    returns target -> its series."""
    book = codebook()
    names = dict(zip(book.indicators["code"], book.indicators["name"]))
    parts = []
    for code in ATTRACTION:
        for actor, actor_name in book.actors.items():
            parts.append((code, actor, actor_name, _points(read(db, actor, code)),
                          flagged_highs(flags(db, actor, code))))

    def series_of(target: str) -> list[dict]:
        series = []
        for code, actor, actor_name, points, found in parts:
            pts = [dict(p) for p in points.get(target, [])]
            high, records = _highest(pts, *found.get(target, (None, [])))
            have = [p for p in pts if pd.notna(p["value"])]
            series.append({"indicator": code, "name": names[code], "actor": actor,
                           "actor_name": actor_name, "points": pts, "high": high,
                           "historic_highs": [dict(r) for r in records],
                           "latest": have[-1] if have else None})
        return series
    return series_of


def latest_covariates(db: Database, target: str, pillar: str = "resilience",
                      read: Read = measure) -> list[dict]:
    """Per indicator of `pillar` (target-only covariates): indicator, name, domain, unit,
    direction, source, and the latest year with a value, that value, and the years seen."""
    return latest_covariates_by_target(db, pillar, read)(target)


def latest_covariates_by_target(db: Database, pillar: str = "resilience",
                                read: Read = measure) -> Callable[[str], list[dict]]:
    """`latest_covariates` of every target at once: each indicator frame is read and
    reduced once; returns target -> its rows (every indicator, missing ones empty)."""
    ind = codebook().indicators
    fields = ["code", "name", "domain", "unit", "direction", "source"]
    meta, latest = [], []
    for r in ind.loc[ind["pillar"] == pillar, fields].to_dict("records"):
        frame = read(db, None, r["code"])
        have = frame.loc[frame["value"].notna(), ["target", "year", "value"]]
        last = have.sort_values("year", kind="stable").groupby("target").tail(1)
        counts = have.groupby("target").size()
        latest.append({t: (_py(y), _py(v), int(counts[t]))
                       for t, y, v in zip(last["target"], last["year"], last["value"])})
        meta.append({"indicator": r["code"], **{k: r[k] for k in fields[1:]}})

    def rows(target: str) -> list[dict]:
        out = []
        for info, found in zip(meta, latest):
            year, value, n = found.get(target, (None, None, 0))
            out.append({**info, "year": year, "value": value, "years": n})
        return out
    return rows


def _py(value):
    """A numpy scalar as the Python number it holds (JSON-ready)."""
    return value.item() if hasattr(value, "item") else value


def axis_years(db: Database, actor: str, attraction: str, influence: str,
               read: Read = measure) -> list[int]:
    """Years in which both quadrant axes have a value for at least one target."""
    years = []
    for registry, name in ((ATTRACTION_AXES, attraction), (INFLUENCE_AXES, influence)):
        frame = read(db, actor, registry[name].measure)
        years.append({int(y) for y in frame.dropna(subset=["value"])["year"]})
    return sorted(years[0] & years[1])
