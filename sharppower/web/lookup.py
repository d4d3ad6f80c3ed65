"""Checks of request parameters against the store: country codes, years, actors.

Each raises the library's NotFound or ValidationError with a message fit for the user, so
the API answers 404 or 422 with that message (never a 500).
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from sharppower.codebook import Codebook, load_codebook
from sharppower.countries import resolver
from sharppower.errors import NotFound, ValidationError
from sharppower.store import Database


@lru_cache(maxsize=1)
def codebook() -> Codebook:
    return load_codebook()


def countries(db: Database) -> pd.DataFrame:
    """Columns: iso3, name, region, subregion."""
    return db.read("SELECT iso3, name, region, subregion FROM countries ORDER BY name")


def country(db: Database, code: str) -> dict:
    """The country row (iso3, name, region, subregion) for an ISO3 code or a name."""
    text = (code or "").strip()
    iso3 = text.upper() if len(text) == 3 else None
    if iso3 is None or not db.scalar("SELECT 1 FROM countries WHERE iso3 = :c", {"c": iso3}):
        try:
            iso3 = resolver().resolve(text)
        except Exception:  # noqa: BLE001 - any failure to resolve is an unknown country
            iso3 = None
    row = db.read("SELECT iso3, name, region, subregion FROM countries WHERE iso3 = :c",
                  {"c": iso3 or ""})
    if row.empty:
        raise NotFound(f"unknown country {code!r}: give an ISO 3166 alpha-3 code such as SWE "
                       "or an English name")
    return row.iloc[0].to_dict()


def year_bounds(db: Database) -> tuple[int, int] | None:
    """First and last year of any observation (None for an empty store)."""
    row = db.read("SELECT MIN(year) AS lo, MAX(year) AS hi FROM observations")
    if row.empty or pd.isna(row["lo"].iloc[0]):
        return None
    return int(row["lo"].iloc[0]), int(row["hi"].iloc[0])


def check_year(db: Database, year: int | None, field: str = "year") -> int | None:
    if year is None:
        return None
    bounds = year_bounds(db)
    if bounds is None:
        raise ValidationError(field, f"{year} is out of range: the store holds no observation yet")
    if not bounds[0] <= year <= bounds[1]:
        raise ValidationError(field, f"{year} is out of range: the store holds "
                                     f"{bounds[0]}-{bounds[1]}")
    return year


def check_actor(actor: str | None) -> str:
    """An actor of the codebook (default: the first, CHN)."""
    actors = codebook().actors
    if actor is None:
        return next(iter(actors))
    code = actor.strip().upper()
    if code not in actors:
        raise ValidationError("actor", f"unknown actor {actor!r}: one of {', '.join(actors)}")
    return code
