"""Build steps of the evidence ledger (STEPS, discovered by `sharppower.pipeline`).

0. The load steps of the evidence sources (ASD, coercion cases, EUvsDisinfo after ASD: its
   cases are linked to ASD's) and of the DISARM framework. A source's state includes its
   declared mapping, so a changed mapping recodes the source at the next build.
1. `starter-evidence`: the starter evidence (`sharppower/starter/evidence.yaml`, cited
   cases) is synced into the ledger as accepted records coded by "starter", with or without
   a mirror (after the sources' records: it reads the ledger).
2. `evidence`: indicator values (values.py) are written to `observations` with source
   "evidence", each row listing its evidence ids; recomputed only when the ledger, its
   coverage, the mappings or the codebook changed.
"""

from __future__ import annotations

from importlib import resources

import sqlalchemy as sa

from sharppower.codebook import Codebook
from sharppower.measures.evidence import asd, coercion, disarm, euvsdisinfo
from sharppower.measures.evidence.importing import load_evidence, normalise_rows
from sharppower.measures.evidence.mapping import load_mapping, mapping_text
from sharppower.measures.evidence.tables import evidence, evidence_coverage
from sharppower.measures.evidence.values import indicator_values, observations_frame
from sharppower.sources.base import Source
from sharppower.sources.connectors import asd as asd_source
from sharppower.sources.connectors import coercion as coercion_source
from sharppower.sources.connectors import disarm as disarm_source
from sharppower.sources.connectors import euvsdisinfo as euvsdisinfo_source
from sharppower.sources.load import record_source, replace_observations, summarise
from sharppower.sources.steps import source_step
from sharppower.steps import LoadResult, Step
from sharppower.store import Database
from sharppower.yaml_load import safe_load

STARTER_FILE = "evidence.yaml"
STARTER = Source(
    name="starter-evidence", title="sharppower starter evidence (cited cases)",
    publisher="sharppower authors", homepage="https://github.com/sharppower/sharppower",
    licence="CC BY 4.0 (our summaries; each record cites its published sources)",
    citation="Each record cites its published sources.", files=(), kind="starter")
LEDGER = Source(
    name="evidence", title="sharppower evidence ledger: counts of accepted incidents",
    publisher="sharppower authors", homepage="https://github.com/sharppower/sharppower",
    licence="CC BY 4.0 (counts); the underlying records keep their sources' terms",
    citation="Counts of accepted evidence records per actor, target, indicator and year over "
    "a declared window, where a source declares coverage; each value lists its evidence ids.",
    files=(), kind="measure")


def starter_records(codebook: Codebook) -> list[dict]:
    text = resources.files("sharppower.starter").joinpath(STARTER_FILE).read_text("utf-8")
    items = (safe_load(text) or {}).get("records") or []
    rows = [dict(item, _row=f"records[{i}]", origin=STARTER.name, origin_key=item.get("id"),
                 coder="starter", status="accepted") for i, item in enumerate(items)]
    return normalise_rows(rows, f"starter/{STARTER_FILE}", codebook)


def starter_evidence_step(ctx) -> list[LoadResult]:
    records = starter_records(ctx.codebook)
    result = load_evidence(ctx, STARTER, None, records, [], "starter", [])
    with ctx.db.begin() as conn:
        record_source(conn, STARTER, None, len(records), starter=True)
    return [result]


def starter_state(ctx) -> list:
    text = resources.files("sharppower.starter").joinpath(STARTER_FILE).read_text("utf-8")
    return [text, evidence_codes(ctx.codebook)]


def evidence_codes(codebook: Codebook) -> list:
    ind = codebook.indicators
    return ind[ind["source"] == "evidence"][["code", "unit"]].values.tolist()


def ledger_state(db: Database) -> list:
    """What the values depend on in the store: records and their last change, coverage."""
    with db.connect() as conn:
        rec = conn.execute(sa.select(sa.func.count(), sa.func.max(evidence.c.updated_at))).one()
        cover = conn.execute(sa.select(evidence_coverage).order_by(
            evidence_coverage.c.origin, evidence_coverage.c.actor, evidence_coverage.c.target,
            evidence_coverage.c.indicator)).all()
    return [rec[0], str(rec[1]), [tuple(r) for r in cover]]


def write_values(db: Database, codebook: Codebook) -> LoadResult:
    """Compute indicator values and replace the observations of source 'evidence'."""
    values = indicator_values(db, codebook, load_mapping("values", codebook))
    obs = observations_frame(values, codebook)
    only_starter = not db.scalar(
        "SELECT COUNT(*) FROM evidence WHERE origin <> :s", {"s": STARTER.name})
    with db.begin() as conn:
        n = replace_observations(conn, LEDGER.name, obs)
        record_source(conn, LEDGER, None, n, starter=bool(only_starter))
    stats = summarise(obs)
    return LoadResult(LEDGER.name, "loaded", n, stats["countries"], stats["years"])


def values_state(ctx) -> list:
    return [ledger_state(ctx.db), mapping_text("values"), evidence_codes(ctx.codebook)]


def values_step(ctx) -> list[LoadResult]:
    return [write_values(ctx.db, ctx.codebook)]


def mapping_state(name: str):
    """A source step's extra state: the text of its declared mapping (mappings/<name>.yaml)."""
    return lambda ctx: mapping_text(name)


LEDGER_TABLES = ("evidence", "evidence_actors", "evidence_indicators", "evidence_codings",
                 "evidence_history", "evidence_coverage", "evidence_links", "sources",
                 "snapshot_files")

STEPS = [
    source_step(asd_source.SOURCE, asd.load, writes=LEDGER_TABLES, state=mapping_state("asd")),
    source_step(coercion_source.SOURCE, coercion.load, writes=LEDGER_TABLES,
                state=mapping_state("coercion")),
    source_step(euvsdisinfo_source.SOURCE, euvsdisinfo.load, writes=LEDGER_TABLES,
                needs=(asd_source.SOURCE.name,), state=mapping_state("euvsdisinfo")),
    source_step(disarm_source.SOURCE, disarm.load,
                writes=("disarm_framework", "sources", "snapshot_files")),
    Step(STARTER.name, starter_evidence_step, reads=("evidence",), writes=LEDGER_TABLES,
         stage="evidence", state=starter_state),
    Step(LEDGER.name, values_step, reads=("evidence", "evidence_coverage"),
         writes=("observations", "sources"), state=values_state),
]
