"""Tables of the opinion engine (created by migration 0010_opinion).

- `opinion_estimates`: one row per actor x public x year x origin (the file the respondents
  came from): n, weight sum, Kish design effect, and for each measure (favorable,
  unfavorable, very_favorable, very_unfavorable, dk = don't know + refused, net) the value
  in percent (net in points), its design-based se and 95% interval; flags (JSON list).
  Respondents themselves are never stored.
- `opinion_quality`: findings of the data-quality checks (check_name, actor, public or NULL for
  every public of the wave, year, detail), rewritten on every load.
- `opinion_toplines`: published percentages imported from CSV (items without microdata).
- `opinion_imports`: provenance of every user import (a Pew SPSS wave or a toplines CSV).
"""

from __future__ import annotations

import sqlalchemy as sa

from sharppower.measures.opinion.schema import MEASURES

meta = sa.MetaData()
TS = sa.DateTime(timezone=True)


def _measure_columns() -> list[sa.Column]:
    cols = []
    for m in MEASURES:
        cols += [sa.Column(m, sa.Float), sa.Column(f"{m}_se", sa.Float),
                 sa.Column(f"{m}_ci_low", sa.Float), sa.Column(f"{m}_ci_high", sa.Float)]
    return cols


opinion_estimates = sa.Table(
    "opinion_estimates",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("actor", sa.String(3), nullable=False),
    sa.Column("public", sa.String(3), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("origin", sa.String(300), nullable=False),
    sa.Column("public_code", sa.String(40)),
    sa.Column("self_rating", sa.Boolean, nullable=False),
    sa.Column("current", sa.Boolean, nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("weight_sum", sa.Float),
    sa.Column("deff", sa.Float),
    *_measure_columns(),
    sa.Column("source_row", sa.String(300)),
    sa.Column("method_version", sa.String(20)),
    sa.Column("flags", sa.Text),
    sa.UniqueConstraint("actor", "public", "year", "origin", name="uq_opinion_cell"),
    sa.Index("ix_opinion_lookup", "actor", "public", "year"),
)

opinion_quality = sa.Table(
    "opinion_quality",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("check_name", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(3), nullable=False),
    sa.Column("public", sa.String(3)),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("detail", sa.Text),
)

opinion_toplines = sa.Table(
    "opinion_toplines",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("actor", sa.String(3), nullable=False),
    sa.Column("public", sa.String(3), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("question", sa.String(200), nullable=False),
    sa.Column("response", sa.String(200), nullable=False),
    sa.Column("percent", sa.Float, nullable=False),
    sa.Column("n", sa.Integer),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("source_file", sa.String(300), nullable=False),
    sa.Column("source_row", sa.Integer, nullable=False),
    sa.Column("flags", sa.Text),
    sa.UniqueConstraint("actor", "public", "year", "question", "response",
                        name="uq_opinion_topline"),
)

opinion_imports = sa.Table(
    "opinion_imports",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("file", sa.String(300), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("rows", sa.Integer),
    sa.Column("imported_at", TS, nullable=False),
    sa.Column("detail", sa.Text),
)

TABLES = [opinion_estimates, opinion_quality, opinion_toplines, opinion_imports]
