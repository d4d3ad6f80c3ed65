"""Checks of request parameters against the store: country codes, years, actors.

Each raises the library's NotFound or ValidationError with a message fit for the user, so
the API answers 404 or 422 with that message (never a 500).
"""

from __future__ import annotations

import pandas as pd

from sharppower.codebook import actor_code, packaged_codebook
from sharppower.countries import resolver
from sharppower.errors import NotFound, ValidationError
from sharppower.store import Database
from sharppower.store.lookups import country_names, country_row, country_rows, year_bounds

codebook = packaged_codebook  # the one cached codebook
names = country_names  # ISO3 -> name


def countries(db: Database) -> pd.DataFrame:
    """Columns: iso3, name, region, subregion."""
    return country_rows(db)


def country(db: Database, code: str) -> dict:
    """The country row (iso3, name, region, subregion) for an ISO3 code or a name."""
    text = (code or "").strip()
    iso3 = text.upper() if len(text) == 3 else None
    row = country_row(db, iso3) if iso3 else None
    if row is None:
        try:
            row = country_row(db, resolver().resolve(text) or "")
        except Exception:  # noqa: BLE001 - any failure to resolve is an unknown country
            row = None
    if row is None:
        raise NotFound(f"unknown country {code!r}: give an ISO 3166 alpha-3 code such as SWE "
                       "or an English name")
    return row


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
    if actor is None:
        return next(iter(codebook().actors))
    return actor_code(actor)
