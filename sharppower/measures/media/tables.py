"""Tables of the media-reuse measure (created by migration 0060_media).

- `media_runs`: one row per imported corpus or source (`run`): where it came from
  (`origin`: the source name of its observations), the method (MinHash matching with its
  parameters, or the pilot's embedding similarity), files, counts.
- `media_outlets`: per run x local outlet x country x year x actor: articles, reused
  articles, the three attribution counts, the reuse rate with its 95% Wilson interval and
  the top wire sources (JSON). A country-year with rows here is covered; one without is
  missing, never zero.
- `media_pairs`: the matched pairs behind every value (run, actor, country, year): the local
  article and the state-media article it reuses, overlap and attribution.
"""

from __future__ import annotations

import sqlalchemy as sa

meta = sa.MetaData()
TS = sa.DateTime(timezone=True)

media_runs = sa.Table(
    "media_runs",
    meta,
    sa.Column("run", sa.String(120), primary_key=True),
    sa.Column("origin", sa.String(100), nullable=False),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("params", sa.Text),
    sa.Column("local_file", sa.Text),
    sa.Column("wire_file", sa.Text),
    sa.Column("articles", sa.Integer),
    sa.Column("matches", sa.Integer),
    sa.Column("created_at", TS, nullable=False),
)

media_outlets = sa.Table(
    "media_outlets",
    meta,
    sa.Column("run", sa.String(120), primary_key=True),
    sa.Column("outlet", sa.String(200), primary_key=True),
    sa.Column("country", sa.String(3), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("actor", sa.String(3), primary_key=True),
    sa.Column("articles", sa.Integer, nullable=False),
    sa.Column("reused", sa.Integer, nullable=False),
    sa.Column("attributed", sa.Integer, nullable=False),
    sa.Column("unattributed", sa.Integer, nullable=False),
    sa.Column("reattributed", sa.Integer, nullable=False),
    sa.Column("rate", sa.Float),
    sa.Column("ci_low", sa.Float),
    sa.Column("ci_high", sa.Float),
    sa.Column("top_wire", sa.Text),
    sa.Index("ix_media_outlets_country", "country", "year"),
)

media_pairs = sa.Table(
    "media_pairs",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run", sa.String(120), nullable=False),
    sa.Column("actor", sa.String(3)),
    sa.Column("country", sa.String(3), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("local_id", sa.String(300)),
    sa.Column("local_outlet", sa.String(200), nullable=False),
    sa.Column("local_url", sa.Text),
    sa.Column("local_date", sa.String(10)),
    sa.Column("wire_id", sa.String(300)),
    sa.Column("wire_outlet", sa.String(200)),
    sa.Column("wire_url", sa.Text),
    sa.Column("wire_date", sa.String(10)),
    sa.Column("containment", sa.Float),
    sa.Column("jaccard", sa.Float),
    sa.Column("attribution", sa.String(20)),
    sa.Column("credit", sa.String(200)),
    sa.Index("ix_media_pairs_run", "run"),
    sa.Index("ix_media_pairs_value", "actor", "country", "year"),
)

MEDIA_TABLES = [media_runs, media_outlets, media_pairs]
