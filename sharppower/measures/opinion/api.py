"""Reading the opinion engine's results from the store (for notebooks, the CLI and the web).

Every function takes a `Database` and optional filters and returns a DataFrame whose
columns its docstring lists. Values are percent (net favourability: points).
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from sharppower.measures.opinion import series
from sharppower.measures.opinion.schema import ESTIMATE_COLUMNS, SELF_RATING
from sharppower.measures.opinion.store import parse_flags, typed
from sharppower.measures.opinion.tables import opinion_estimates, opinion_quality, opinion_toplines
from sharppower.store import Database


def _filtered(table: sa.Table, actor: str | None, public: str | None, year: int | None):
    stmt = sa.select(table)
    if actor:
        stmt = stmt.where(table.c.actor == actor.upper())
    if public:
        stmt = stmt.where(table.c.public == public.upper())
    if year is not None:
        stmt = stmt.where(table.c.year == int(year))
    return stmt


def _frame(db: Database, stmt) -> pd.DataFrame:
    frame = db.read(stmt)
    if "flags" in frame:
        frame["flags"] = [parse_flags(f) for f in frame["flags"]]
    return frame


def estimates(db: Database, actor: str | None = None, public: str | None = None,
              year: int | None = None, include_self: bool = False,
              all_origins: bool = False) -> pd.DataFrame:
    """Weighted estimates per actor x public x year, sorted by actor, public, year.

    Columns: actor, public, year (ints/ISO3), origin (file of the respondents), public_code
    (as published), self_rating (bool), n (respondents asked), weight_sum, deff (Kish design
    effect of the weights), then for each of favorable, unfavorable, very_favorable,
    very_unfavorable, dk (don't know + refused) and net (favorable - unfavorable, points):
    the value, `<m>_se` (design-based standard error), `<m>_ci_low`, `<m>_ci_high` (95%);
    source_row, method_version, flags (list: "suspect" plus the check names, "self-rating").
    Self-ratings are left out unless `include_self` (or `public` == `actor`); only the current
    origin of each cell unless `all_origins`.
    """
    stmt = _filtered(opinion_estimates, actor, public, year)
    if not all_origins:
        stmt = stmt.where(opinion_estimates.c.current.is_(True))
    frame = _frame(db, stmt.order_by(opinion_estimates.c.actor, opinion_estimates.c.public,
                                     opinion_estimates.c.year, opinion_estimates.c.id))
    frame = typed(frame.reindex(columns=ESTIMATE_COLUMNS))
    own = public is not None and actor is not None and public.upper() == actor.upper()
    if not include_self and not own:
        frame = frame[~frame["self_rating"]]
    return frame.reset_index(drop=True)


def changes(db: Database, actor: str | None = None, public: str | None = None,
            measure: str = "unfavorable", base_year: int | None = None,
            include_suspect: bool = False) -> pd.DataFrame:
    """Change against the previous wave and a base year, z tests, historic highs and lows.

    Columns: see `series.changes` (actor, public, year, value, se, prev_year, prev_value,
    change, change_se, z, p_value, significant, base_year, base_value, change_base,
    change_base_se, z_base, p_value_base, significant_base, historic_high, historic_low,
    series_high, series_low).
    """
    est = estimates(db, actor, public, include_self=True)
    return series.changes(est, measure, base_year, include_suspect)


def trend(db: Database, actor: str | None = None, public: str | None = None,
          measure: str = "unfavorable", last: int = 5, include_suspect: bool = False) -> pd.DataFrame:
    """Slope per year over the last `last` waves with a 95% interval (see `series.trend`).

    Columns: actor, public, waves, first_year, last_year, slope, slope_se, slope_ci_low,
    slope_ci_high, p_value.
    """
    est = estimates(db, actor, public, include_self=True)
    return series.trend(est, measure, last, include_suspect)


def medians(db: Database, actor: str | None = None, year: int | None = None,
            include_self: bool = False, include_suspect: bool = False) -> pd.DataFrame:
    """Cross-public medians per actor and year (Pew's headline figures).

    Columns: actor, year, publics, favorable, unfavorable, very_unfavorable, net, dk.
    Self-ratings and suspect cells are left out unless asked for.
    """
    est = estimates(db, actor, None, year, include_self=True)
    return series.medians(est, include_self, include_suspect)


def quality_flags(db: Database, actor: str | None = None, year: int | None = None) -> pd.DataFrame:
    """Findings of the data-quality checks of the last load.

    Columns: check (lockstep, impossible-percent, inconsistent-percent, duplicate-public),
    actor, public (None: every public of that actor and wave), year, detail.
    Every flagged cell carries "suspect" and is left out of the index by default.
    """
    stmt = _filtered(opinion_quality, actor, None, year).order_by(
        opinion_quality.c.year, opinion_quality.c.actor, opinion_quality.c.public)
    frame = db.read(stmt).rename(columns={"check_name": "check"})
    return frame.reindex(columns=["check", "actor", "public", "year", "detail"])


def toplines(db: Database, actor: str | None = None, public: str | None = None,
             year: int | None = None) -> pd.DataFrame:
    """Imported toplines. Columns: actor, public, year, question, response, percent, n, url,
    source_file, source_row, flags (list)."""
    stmt = _filtered(opinion_toplines, actor, public, year).order_by(
        opinion_toplines.c.actor, opinion_toplines.c.public, opinion_toplines.c.year,
        opinion_toplines.c.question, opinion_toplines.c.response)
    frame = _frame(db, stmt)
    return frame.reindex(columns=["actor", "public", "year", "question", "response", "percent",
                                  "n", "url", "source_file", "source_row", "flags"])


__all__ = ["SELF_RATING", "changes", "estimates", "medians", "quality_flags", "toplines", "trend"]
