"""Reference tables in the store: countries (from pycountry and our aliases), actors and
indicators (from the codebook). Rewritten on every build; cheap and idempotent."""

from __future__ import annotations

import pycountry
import sqlalchemy as sa

from sharppower.codebook import Codebook
from sharppower.countries import EXTRA_COUNTRIES, HISTORIC_COUNTRIES, CountryResolver, normalise
from sharppower.store import Database
from sharppower.store.database import insert_rows
from sharppower.store.tables import actors, countries, country_aliases, indicators


def country_rows(res: CountryResolver) -> list[dict]:
    rows = [
        {"iso3": c.alpha_3, "name": res.name(c.alpha_3), "alpha2": c.alpha_2,
         "numeric": c.numeric, "region": None, "subregion": None}
        for c in pycountry.countries
    ]
    rows += [
        {"iso3": iso3, "name": name, "alpha2": a2, "numeric": num, "region": "Europe",
         "subregion": "Southern Europe"}
        for iso3, (name, a2, num) in EXTRA_COUNTRIES.items()
    ]
    # Former states the historical sources use (USSR, Czechoslovakia, ...): kept so that
    # every observation's target is a row of this table.
    rows += [
        {"iso3": iso3, "name": name, "alpha2": None, "numeric": None, "region": region,
         "subregion": subregion}
        for iso3, (name, region, subregion) in HISTORIC_COUNTRIES.items()
        if iso3 not in {r["iso3"] for r in rows}
    ]
    return rows


def sync_reference(db: Database, codebook: Codebook, res: CountryResolver) -> int:
    """Write countries (keeping regions a countries source loaded), aliases, actors, indicators."""
    with db.begin() as conn:
        regions = {r.iso3: (r.region, r.subregion) for r in conn.execute(
            sa.select(countries.c.iso3, countries.c.region, countries.c.subregion))}
        rows = country_rows(res)
        for row in rows:
            if regions.get(row["iso3"], (None, None))[0]:
                row["region"], row["subregion"] = regions[row["iso3"]]
        conn.execute(sa.delete(countries))
        insert_rows(conn, countries, rows)
        conn.execute(sa.delete(country_aliases))
        insert_rows(conn, country_aliases, [
            {"alias": k, "iso3": v} for k, v in sorted(res._keys.items()) if not k.isdigit()
        ])
        conn.execute(sa.delete(actors))
        insert_rows(conn, actors, [{"iso3": k, "name": v} for k, v in codebook.actors.items()])
        conn.execute(sa.delete(indicators))
        ind = codebook.indicators
        insert_rows(conn, indicators, [
            {"code": r.code, "name": r.name, "pillar": r.pillar, "domain": r.domain,
             "layer": r.layer, "direction": r.direction, "unit": r.unit, "source": r.source,
             "description": r.description, "codebook_version": codebook.version}
            for r in ind.itertuples(index=False)
        ])
    return len(rows)


__all__ = ["normalise", "sync_reference"]
