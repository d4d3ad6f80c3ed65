"""Build step of the evidence ledger (BUILD_STEPS, after the starter step).

0. LOADERS: the loaders of the evidence sources (ASD, coercion cases, EUvsDisinfo) and of
   the DISARM framework, which `sharppower.build` runs in its sources step.
1. The starter evidence (`sharppower/starter/evidence.yaml`, cited cases) is synced into
   the ledger as accepted records coded by "starter", with or without a mirror.
2. Indicator values (values.py) are written to `observations` with source "evidence",
   each row listing its evidence ids; recomputed only when the ledger, its coverage, the
   mappings or the codebook changed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources

import sqlalchemy as sa
import yaml

from sharppower.codebook import Codebook
from sharppower.measures.evidence import asd, coercion, disarm, euvsdisinfo
from sharppower.measures.evidence.importing import load_evidence, normalise_rows
from sharppower.measures.evidence.mapping import load_mapping, mapping_text
from sharppower.measures.evidence.tables import evidence, evidence_coverage
from sharppower.measures.evidence.values import indicator_values, observations_frame
from sharppower.sources.base import Source
from sharppower.sources.load import load_source, record_source, replace_observations, summarise
from sharppower.sources.registry import SOURCES
from sharppower.sources.snapshot import open_snapshot
from sharppower.steps import LoadResult
from sharppower.store import Database

LOADERS = {"asd-interference-tracker": asd.load, "coercion-cases": coercion.load,
           "disarm-framework": disarm.load, "euvsdisinfo": euvsdisinfo.load}

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
    items = (yaml.safe_load(text) or {}).get("records") or []
    rows = [dict(item, _row=f"records[{i}]", origin=STARTER.name, origin_key=item.get("id"),
                 coder="starter", status="accepted") for i, item in enumerate(items)]
    return normalise_rows(rows, f"starter/{STARTER_FILE}", codebook)


def starter_evidence_step(ctx) -> LoadResult:
    records = starter_records(ctx.codebook)
    result = load_evidence(ctx.load_context, STARTER, None, records, [], "starter", [])
    with ctx.db.begin() as conn:
        record_source(conn, STARTER, None, len(records), starter=True)
    return result


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


MAPPED_SOURCES = {"asd-interference-tracker": "asd", "coercion-cases": "coercion",
                  "euvsdisinfo": "euvsdisinfo"}


def remap_step(ctx) -> list[LoadResult]:
    """Re-import an evidence source whose declared mapping changed since its last import
    (its snapshot did not, so the sources step skipped it)."""
    results = []
    for name, mapping in MAPPED_SOURCES.items():
        sha = ctx.snapshot_shas(name)[name]
        snapshot = open_snapshot(ctx.settings, SOURCES[name]) if name in SOURCES else None
        if sha is None or snapshot is None:
            continue
        step, started = f"evidence-mapping:{name}", datetime.now(UTC)
        fp = ctx.fingerprint(sha, mapping_text(mapping))
        last = ctx.db.scalar("SELECT COUNT(*) FROM build_log WHERE step = :s", {"s": step})
        if ctx.fresh(step, fp):
            continue
        result = LoadResult(name, "unchanged")
        if last and not ctx.force:  # mapping changed after an import with the old one
            load_ctx = ctx.load_context
            load_ctx.force = True
            result = load_source(load_ctx, SOURCES[name], snapshot, LOADERS[name])
            results.append(result)
        ctx.record(step, fp, result, started)
    return results


def evidence_step(ctx) -> list[LoadResult]:
    started = datetime.now(UTC)
    results = remap_step(ctx) + [starter_evidence_step(ctx)]
    ind = ctx.codebook.indicators
    fp = ctx.fingerprint(ledger_state(ctx.db), mapping_text("values"),
                         ind[ind["source"] == "evidence"][["code", "unit"]].values.tolist())
    if ctx.fresh("evidence-values", fp):
        return results + [LoadResult(LEDGER.name, "unchanged")]
    result = write_values(ctx.db, ctx.codebook)
    ctx.record("evidence-values", fp, result, started)
    return results + [result]
