"""The pipeline's reference steps: the reference tables, and the countries source's regions.

`reference` writes countries, aliases, actors and indicators (`sharppower.reference`); its
state is what it writes from (the country list and aliases, the codebook). The `countries`
source's load step sets each country's UN M49 region after it.
"""

from __future__ import annotations

import sqlalchemy as sa

from sharppower.codebook import Codebook
from sharppower.reference import country_rows, sync_reference
from sharppower.sources.connectors import countries as connector
from sharppower.sources.load import LoadContext, record_source
from sharppower.sources.snapshot import Snapshot
from sharppower.sources.steps import source_step
from sharppower.steps import LoadResult, Step
from sharppower.store.tables import countries

STAGE = "reference"


def reference_step(ctx) -> list[LoadResult]:
    n = sync_reference(ctx.db, ctx.codebook, ctx.resolver)
    return [LoadResult("reference", "loaded", n, n, None)]


def codebook_state(codebook: Codebook) -> list:
    return [codebook.version, sorted(codebook.actors.items()),
            codebook.indicators.astype(str).values.tolist()]


def reference_state(ctx) -> list:
    return [country_rows(ctx.resolver), sorted(ctx.resolver._keys.items()),
            codebook_state(ctx.codebook)]


def load_regions(ctx: LoadContext, snapshot: Snapshot) -> LoadResult:
    """Set region and sub-region of the countries table from the snapshot."""
    frame = connector.parse(snapshot)
    with ctx.db.begin() as conn:
        for row in frame.itertuples(index=False):
            conn.execute(
                sa.update(countries).where(countries.c.iso3 == row.target)
                .values(region=row.region, subregion=row.subregion)
            )
        # Kosovo is not in ISO 3166; M49 places it in Southern Europe.
        conn.execute(sa.update(countries).where(countries.c.iso3 == "XKX")
                     .values(region="Europe", subregion="Southern Europe"))
        record_source(conn, connector.SOURCE, snapshot, len(frame))
    return LoadResult(connector.SOURCE.name, "loaded", len(frame), len(frame), None)


STEPS = [
    Step("reference", reference_step, stage=STAGE, state=reference_state,
         writes=("countries", "country_aliases", "actors", "indicators")),
    source_step(connector.SOURCE, load_regions, needs=("reference",),
                writes=("countries", "sources", "snapshot_files")),
]
