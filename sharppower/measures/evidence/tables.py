"""Tables of the evidence ledger (created by migration 0020_evidence).

- `evidence`: one row per record. Dates are ISO strings `YYYY-MM-DD` with a precision
  (`day`, `month`, `year`): a partial start date is stored as the first day of its
  period, a partial end date as the last day. `end_date` is NULL when the incident is
  `ongoing` or when the source gives no end (then it counts in its start year only).
  `sources` (JSON list of {url, publisher}) and `categories` (JSON list of the source's
  own taxonomy, e.g. ASD tools) are JSON text. `origin` names where the record came
  from (`manual`, `starter`, a source name); `origin_key` is its id there;
  `withdrawn_from_source` marks records the source no longer lists (never deleted);
  `source_payload` keeps the fields as last imported, for three-way re-import.
- `evidence_actors`, `evidence_indicators` (the adopted codes with their codebook layer).
- `evidence_codings`: each coder's independent coding (JSON list of indicator codes),
  the raw material of the agreement statistics.
- `evidence_history`: who changed which field, from what, to what, when.
- `evidence_coverage`: which actor x target x indicator x years each origin covers.
"""

from __future__ import annotations

import sqlalchemy as sa

meta = sa.MetaData()
TS = sa.DateTime(timezone=True)

evidence = sa.Table(
    "evidence",
    meta,
    sa.Column("id", sa.String(120), primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("narrative", sa.Text),
    sa.Column("target", sa.String(3), nullable=False),
    sa.Column("start_date", sa.String(10), nullable=False),
    sa.Column("start_precision", sa.String(5), nullable=False),
    sa.Column("end_date", sa.String(10)),
    sa.Column("end_precision", sa.String(5)),
    sa.Column("ongoing", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("start_year", sa.Integer, nullable=False),
    sa.Column("end_year", sa.Integer),
    sa.Column("sources", sa.Text, nullable=False),
    sa.Column("categories", sa.Text),
    sa.Column("confidence", sa.String(10), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("coder", sa.String(120), nullable=False),
    sa.Column("reviewed_by", sa.String(120)),
    sa.Column("reviewed_at", TS),
    sa.Column("origin", sa.String(100), nullable=False),
    sa.Column("origin_key", sa.String(200)),
    sa.Column("withdrawn_from_source", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("notes", sa.Text),
    sa.Column("source_payload", sa.Text),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("updated_at", TS, nullable=False),
    sa.Index("ix_evidence_target", "target", "start_year"),
    sa.Index("ix_evidence_origin", "origin", "origin_key"),
)

evidence_actors = sa.Table(
    "evidence_actors",
    meta,
    sa.Column("evidence_id", sa.String(120), sa.ForeignKey("evidence.id"), primary_key=True),
    sa.Column("actor", sa.String(3), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
)

evidence_indicators = sa.Table(
    "evidence_indicators",
    meta,
    sa.Column("evidence_id", sa.String(120), sa.ForeignKey("evidence.id"), primary_key=True),
    sa.Column("indicator", sa.String(100), primary_key=True),
    sa.Column("layer", sa.String(20), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
)

evidence_codings = sa.Table(
    "evidence_codings",
    meta,
    sa.Column("evidence_id", sa.String(120), sa.ForeignKey("evidence.id"), primary_key=True),
    sa.Column("coder", sa.String(120), primary_key=True),
    sa.Column("indicators", sa.Text, nullable=False),
    sa.Column("coded_at", TS, nullable=False),
)

evidence_history = sa.Table(
    "evidence_history",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("evidence_id", sa.String(120), nullable=False),
    sa.Column("changed_at", TS, nullable=False),
    sa.Column("changed_by", sa.String(120), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("field", sa.String(60), nullable=False),
    sa.Column("old_value", sa.Text),
    sa.Column("new_value", sa.Text),
    sa.Index("ix_evidence_history_id", "evidence_id"),
)

evidence_coverage = sa.Table(
    "evidence_coverage",
    meta,
    sa.Column("origin", sa.String(100), primary_key=True),
    sa.Column("actor", sa.String(3), primary_key=True),
    sa.Column("target", sa.String(3), primary_key=True),
    sa.Column("indicator", sa.String(100), primary_key=True),
    sa.Column("first_year", sa.Integer, nullable=False),
    sa.Column("last_year", sa.Integer, nullable=False),
    sa.Column("last_date", sa.String(10)),
    sa.Column("note", sa.Text),
)

EVIDENCE_TABLES = [evidence, evidence_actors, evidence_indicators, evidence_codings,
                   evidence_history, evidence_coverage]

# --- FIMI exchange (issue 13): DISARM framework, technique coding, links between records ---
# `disarm_framework`: phases, tactics and techniques of the DISARM red framework with the
# STIX ids of the published bundle (loaded from the `disarm-framework` source).
# `evidence_techniques`: the DISARM technique ids adopted for a record (like indicators).
# `evidence_links`: two records of the same incident in different sources (same URL or
# same event); values count a linked group once.
disarm_framework = sa.Table(
    "disarm_framework",
    meta,
    sa.Column("disarm_id", sa.String(20), primary_key=True),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("summary", sa.Text),
    sa.Column("phase_id", sa.String(10)),
    sa.Column("tactic_id", sa.String(10)),
    sa.Column("parent_id", sa.String(20)),
    sa.Column("stix_id", sa.String(100)),
    sa.Column("url", sa.Text),
    sa.Column("created", sa.String(40)),
    sa.Column("modified", sa.String(40)),
    sa.Column("source_file", sa.String(200)),
    sa.Column("source_row", sa.String(60)),
)

evidence_techniques = sa.Table(
    "evidence_techniques",
    meta,
    sa.Column("evidence_id", sa.String(120), sa.ForeignKey("evidence.id"), primary_key=True),
    sa.Column("technique", sa.String(20), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
)

evidence_links = sa.Table(
    "evidence_links",
    meta,
    sa.Column("evidence_id", sa.String(120), sa.ForeignKey("evidence.id"), primary_key=True),
    sa.Column("linked_id", sa.String(120), sa.ForeignKey("evidence.id"), primary_key=True),
    sa.Column("relation", sa.String(20), nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("origin", sa.String(100), nullable=False),
    sa.Index("ix_evidence_links_linked", "linked_id"),
)

# `technique_proposals`: DISARM techniques a model proposes for a record (created by
# migration 0090): status proposed until a reviewer accepts (the technique is then added
# to the record, with history) or rejects it; never applied by the model itself.
technique_proposals = sa.Table(
    "technique_proposals",
    meta,
    sa.Column("evidence_id", sa.String(120), sa.ForeignKey("evidence.id"), primary_key=True),
    sa.Column("technique", sa.String(20), primary_key=True),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("rank", sa.Integer, nullable=False),
    sa.Column("model", sa.String(200), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("proposed_at", TS, nullable=False),
    sa.Column("reviewed_by", sa.String(200)),
    sa.Column("reviewed_at", TS),
    sa.Index("ix_technique_proposals_status", "status"),
)

FIMI_TABLES = [disarm_framework, evidence_techniques, evidence_links, technique_proposals]
