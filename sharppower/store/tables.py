"""Core tables (migration 0001). Measures declare their own tables in their packages.

Columns of `observations`, the table every measure writes and the index reads:
actor (ISO3 of the influencing state; NULL for a property of the target alone, such as
its press freedom), target (ISO3), year, indicator (codebook code), value, unit,
se / ci_low / ci_high (standard error, 95% interval, where known), n (sample size or
count behind the value), source (registered source name), source_file and source_row
(where in the snapshot the value comes from), evidence_ids (JSON list, for values the
evidence ledger produced), flags (JSON list of data-quality flags), note.
"""

from __future__ import annotations

import sqlalchemy as sa

meta = sa.MetaData()
TS = sa.DateTime(timezone=True)

countries = sa.Table(
    "countries",
    meta,
    sa.Column("iso3", sa.String(3), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("alpha2", sa.String(2)),
    sa.Column("numeric", sa.String(3)),
    sa.Column("region", sa.String(100)),
    sa.Column("subregion", sa.String(100)),
)

country_aliases = sa.Table(
    "country_aliases",
    meta,
    sa.Column("alias", sa.String(200), primary_key=True),
    sa.Column("iso3", sa.String(3), nullable=False),
)

actors = sa.Table(
    "actors",
    meta,
    sa.Column("iso3", sa.String(3), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
)

indicators = sa.Table(
    "indicators",
    meta,
    sa.Column("code", sa.String(100), primary_key=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("pillar", sa.String(50), nullable=False),
    sa.Column("domain", sa.String(80), nullable=False),
    sa.Column("layer", sa.String(20), nullable=False),
    sa.Column("direction", sa.String(10), nullable=False),
    sa.Column("unit", sa.String(80)),
    sa.Column("source", sa.String(100)),
    sa.Column("description", sa.Text),
    sa.Column("codebook_version", sa.String(20)),
)

sources = sa.Table(
    "sources",
    meta,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("publisher", sa.String(300)),
    sa.Column("url", sa.Text),
    sa.Column("licence", sa.Text),
    sa.Column("citation", sa.Text),
    sa.Column("retrieved_at", TS),
    sa.Column("loaded_at", TS),
    sa.Column("sha256", sa.String(64)),
    sa.Column("rows", sa.Integer),
    sa.Column("starter", sa.Boolean, nullable=False, server_default=sa.false()),
)

snapshot_files = sa.Table(
    "snapshot_files",
    meta,
    sa.Column("source", sa.String(100), primary_key=True),
    sa.Column("file", sa.String(300), primary_key=True),
    sa.Column("url", sa.Text),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("bytes", sa.BigInteger),
    sa.Column("retrieved_at", TS),
)

observations = sa.Table(
    "observations",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("actor", sa.String(3)),
    sa.Column("target", sa.String(3), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("indicator", sa.String(100), nullable=False),
    sa.Column("value", sa.Float),
    sa.Column("unit", sa.String(80)),
    sa.Column("se", sa.Float),
    sa.Column("ci_low", sa.Float),
    sa.Column("ci_high", sa.Float),
    sa.Column("n", sa.Float),
    sa.Column("source", sa.String(100), nullable=False),
    sa.Column("source_file", sa.String(300)),
    sa.Column("source_row", sa.String(300)),
    sa.Column("evidence_ids", sa.Text),
    sa.Column("flags", sa.Text),
    sa.Column("note", sa.Text),
    sa.Index("ix_obs_lookup", "indicator", "actor", "target", "year"),
    sa.Index("ix_obs_source", "source"),
    sa.Index("ix_obs_target", "target", "year"),
    sa.Index("ix_obs_year", "year"),  # the first and last year from the index's ends
)

build_log = sa.Table(
    "build_log",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("step", sa.String(100), nullable=False),
    sa.Column("fingerprint", sa.String(128)),  # a sha256, with qualifiers (":50" runs)
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("started_at", TS, nullable=False),
    sa.Column("finished_at", TS),
    sa.Column("rows", sa.Integer),
    sa.Column("countries", sa.Integer),
    sa.Column("years", sa.String(20)),
    sa.Column("warnings", sa.Text),
    sa.Column("details", sa.Text),
)

CORE_TABLES = [countries, country_aliases, actors, indicators, sources, snapshot_files, observations, build_log]
