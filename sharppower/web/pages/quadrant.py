"""Quadrant chart: attraction against influence for every target of an actor in one year,
with both axes' 95% intervals and each target's move from a chosen earlier year
(`sharppower.analysis.quadrants` and `movement`)."""

from __future__ import annotations

import pandas as pd
from fastapi import APIRouter, Request

from sharppower.analysis.common import measure
from sharppower.analysis.profile import axis_years as both_axes_years
from sharppower.errors import ValidationError
from sharppower.store import Database
from sharppower.store.lookups import country_names
from sharppower.web import figures
from sharppower.web.actorscores import year_choice
from sharppower.web.lookup import check_actor, check_year, codebook
from sharppower.web.memo import Memo, memo_reader, no_memo
from sharppower.web.pages import Page
from sharppower.web.profiles import stored_page
from sharppower.web.routing import cache, fmt, page, respond, store
from sharppower.web.scoretext import choice_reason

router = APIRouter(tags=["quadrant"])


def axis_years(db: Database, memo: Memo, actor: str, attraction: str, influence: str) -> list[int]:
    """Years in which both axes have a value for at least one target
    (`analysis.profile.axis_years`)."""
    return both_axes_years(db, actor, attraction, influence, memo_reader(memo, measure))


def placed_counts(db: Database, memo: Memo, actor: str, attraction: str,
                  influence: str) -> dict[int, int]:
    """Year -> targets with a value on both axes (the years the quadrant can show)."""
    from sharppower.analysis.disconnect import ATTRACTION_AXES, INFLUENCE_AXES

    read = memo_reader(memo, measure)
    frames = [read(db, actor, axes[name].measure).dropna(subset=["value"])[["target", "year"]]
              for axes, name in ((ATTRACTION_AXES, attraction), (INFLUENCE_AXES, influence))]
    both = frames[0].merge(frames[1]).drop_duplicates()
    return {int(y): int(n) for y, n in both.groupby("year").size().items()}


def _check_axes(attraction: str, influence: str) -> None:
    from sharppower.analysis.disconnect import ATTRACTION_AXES, INFLUENCE_AXES

    if attraction not in ATTRACTION_AXES:
        raise ValidationError("attraction", f"one of {', '.join(ATTRACTION_AXES)}")
    if influence not in INFLUENCE_AXES:
        raise ValidationError("influence", f"one of {', '.join(INFLUENCE_AXES)}")


def current_influence_axes(db: Database, keep: str) -> list[str]:
    """The influence axes the stored run scores (the retired v1 pillars, reach and
    sharp_power, only when a store holds a v1 run), and `keep` (the axis shown)."""
    from sharppower.analysis.disconnect import INFLUENCE_AXES
    from sharppower.index.nodes import run_nodes

    scored = {f"index:{n['level']}:{n['node']}" for n in run_nodes(db)}
    return [k for k, a in INFLUENCE_AXES.items() if a.measure in scored or k == keep]


def quadrant_data(db: Database, actor: str | None = None, year: int | None = None,
                  from_year: int | None = None, attraction: str = "favorable",
                  influence: str = "influence", memo: Memo = no_memo) -> dict:
    """points: analysis.quadrants rows of `year` (with target names); moves: analysis.movement
    rows from `from_year` to `year`; years: years where both axes have data."""
    from sharppower import analysis

    actor = check_actor(actor)
    _check_axes(attraction, influence)
    check_year(db, year)
    check_year(db, from_year, "from_year")
    years = axis_years(db, memo, actor, attraction, influence)
    offered = placed_counts(db, memo, actor, attraction, influence)
    choice = year_choice(db, memo, actor, year, offered)
    year = choice.year
    if from_year is not None and year is not None and from_year >= year:
        raise ValidationError("from_year", f"must be before the year shown ({year})")
    names = memo(("country_names",), lambda: country_names(db))
    points, moves, move_thresholds = [], [], None
    if year is not None:
        q = memo(("quadrants", actor, year, attraction, influence), lambda: analysis.quadrants(
            db, actor, year, attraction=attraction, influence=influence))
        points = sorted((_point(r, names) for r in q.to_dict("records")),
                        key=lambda p: p["name"])
    if from_year is not None and year is not None:
        mv = analysis.movement(db, actor, from_year, year, attraction=attraction,
                               influence=influence)
        move_thresholds = _move_thresholds(mv, year)
        moves = sorted(({**m, "name": names.get(m["target"], m["target"])} for m in mv.dropna(
            subset=["attraction_from", "attraction_to", "influence_from", "influence_to"]
        ).to_dict("records")), key=lambda m: m["name"])
    first = points[0] if points else {}
    reason = choice_reason(choice, offered, "countries with both axes",
                           codebook().actors[actor])
    from sharppower.analysis.disconnect import ATTRACTION_AXES

    return {"actor": actor, "actors": codebook().actors, "year": year, "from_year": from_year,
            "colour": codebook().actor_info[actor].colour,
            "year_reason": reason, "attraction_axes": list(ATTRACTION_AXES),
            "influence_axes": current_influence_axes(db, influence),
            "years": years, "attraction": attraction, "influence": influence,
            "thresholds": {"attraction": first.get("attraction_threshold"),
                           "influence": first.get("influence_threshold")},
            "points": points, "moves": moves, "move_thresholds": move_thresholds,
            "placed": sum(1 for p in points if p.get("quadrant")),
            "counts": pd.Series([p["quadrant"] for p in points if p.get("quadrant")],
                                dtype=object).value_counts().to_dict()}


def _move_thresholds(mv: pd.DataFrame, year: int) -> dict:
    """The one threshold per axis both years of the moves were placed against, in numbers
    and words (`analysis.movement`: the later year's)."""
    def first(col):
        values = mv[col].dropna().unique() if col in mv else []
        return float(values[0]) if len(values) else None
    rule = mv["threshold_rule"].iloc[0] if len(mv) else None
    return {"attraction": first("attraction_threshold"),
            "influence": first("influence_threshold"), "year": year, "rule": rule}


def _point(r: dict, names: dict) -> dict:
    name = names.get(r["target"], r["target"])
    hover = (f"{name}<br>attraction {fmt(r.get('attraction'))}"
             f"<br>influence {fmt(r.get('influence'), 2)}"
             f"<br>{str(r.get('quadrant') or 'no quadrant').replace('_', ' ')}")
    return {**r, "name": name, "hover": hover}


def quadrant_figure(data: dict) -> dict:
    att = "Favourable view (%)" if data["attraction"] == "favorable" else "Net favourability"
    return figures.quadrant(data["points"], data["moves"], att,
                            data["influence"].replace("_", " ").capitalize() + " score",
                            data["thresholds"])


DEFAULT_AXES = ("favorable", "influence")  # the page's default attraction and influence axes


def stored_default(request: Request, actor: str | None, year: int | None,
                   from_year: int | None, attraction: str, influence: str) -> dict | None:
    """An actor's default quadrant (no year, no from_year, the default axes) as the build
    stored it, when current (`web.profiles.stored_page`); None otherwise."""
    if year is not None or from_year is not None or (attraction, influence) != DEFAULT_AXES:
        return None
    return stored_page(store(request), f"quadrant:{check_actor(actor)}",
                       cache(request).version())


def stored_pages(db: Database, memo: Memo) -> dict[str, dict]:
    """What the build stores for this page (`web.pages.country.store_pages`): each actor's
    default quadrant (its default year, no moves)."""
    return {f"quadrant:{actor}": quadrant_data(db, actor, memo=memo)
            for actor in codebook().actors}


@page(router, "/quadrant")
def quadrant_page(request: Request, actor: str | None = None, year: int | None = None,
                  from_year: int | None = None, attraction: str = "favorable",
                  influence: str = "influence"):
    """Attraction against influence for every target, with moves from `from_year`."""
    memo = cache(request).get
    key = ("quadrant_page", actor, year, from_year, attraction, influence)
    data = memo(key, lambda: stored_default(request, actor, year, from_year, attraction,
                                            influence)
                or quadrant_data(store(request), actor, year, from_year, attraction, influence,
                                 memo))
    return respond(request, "quadrant.html", data, key=key,
                   figures=lambda d: {"quadrant": quadrant_figure(d)})


def write_report_quadrants(site) -> None:
    """The report's quadrants: one per declared actor (`quadrant-CHN`), the first actor's
    also as `quadrant`."""
    for i, actor in enumerate(codebook().actors):
        data = quadrant_data(site.db, actor, memo=site.remember)

        def figs(d):
            return {"quadrant": quadrant_figure(d)}
        site.write(f"quadrant-{actor}", "quadrant.html", data, figs)
        if i == 0:
            site.write("quadrant", "quadrant.html", data, figs)


PAGE = Page("/quadrant", "Quadrant", "quadrant.html", nav=30, in_report=True,
            write=write_report_quadrants)
