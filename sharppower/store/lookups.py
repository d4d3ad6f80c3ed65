"""Reads of the reference tables every layer above asks for: the countries (rows, one row,
ISO3 -> name), the years and targets the observations cover."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from sharppower.store.database import Database
from sharppower.store.tables import countries, observations

COUNTRY_COLUMNS = ["iso3", "name", "region", "subregion"]


def country_rows(db: Database) -> pd.DataFrame:
    """Every country: iso3, name, region, subregion, ordered by name."""
    c = countries.c
    return db.read(sa.select(c.iso3, c.name, c.region, c.subregion).order_by(c.name))


def country_row(db: Database, iso3: str) -> dict | None:
    """The country's row (iso3, name, region, subregion), None when the table lacks it."""
    c = countries.c
    rows = db.read(sa.select(c.iso3, c.name, c.region, c.subregion).where(c.iso3 == iso3))
    return None if rows.empty else rows.iloc[0].to_dict()


def country_names(db: Database) -> dict[str, str]:
    """ISO3 -> English name of every country of the store."""
    rows = db.read(sa.select(countries.c.iso3, countries.c.name))
    return dict(zip(rows["iso3"], rows["name"]))


def year_bounds(db: Database) -> tuple[int, int] | None:
    """First and last year of any observation (None for an empty store): two reads of an
    end of the year index (one query with both MIN and MAX would scan it)."""
    y = observations.c.year
    row = db.read(sa.select(sa.select(sa.func.min(y)).scalar_subquery().label("lo"),
                            sa.select(sa.func.max(y)).scalar_subquery().label("hi")))
    if row.empty or pd.isna(row["lo"].iloc[0]):
        return None
    return int(row["lo"].iloc[0]), int(row["hi"].iloc[0])


def observed_targets(db: Database) -> set[str]:
    """Targets with at least one observation."""
    return set(db.read(sa.select(observations.c.target).distinct())["target"])


def table_names(db: Database) -> list[str]:
    """Every table of the store's schema."""
    return list(sa.inspect(db.engine).get_table_names(schema=db.schema))


def table_shape(db: Database, name: str) -> tuple[int, list[str]]:
    """Row count and column names of one table."""
    table = sa.Table(name, sa.MetaData(), schema=db.schema, autoload_with=db.engine)
    count = db.read(sa.select(sa.func.count()).select_from(table)).iloc[0, 0]
    return int(count or 0), [c.name for c in table.columns]


def whole_table(db: Database, name: str) -> pd.DataFrame:
    """Every row of one table."""
    table = sa.Table(name, sa.MetaData(), schema=db.schema, autoload_with=db.engine)
    return db.read(sa.select(table))
