"""Loading an evidence source's snapshot: validate every record, then one transaction that
syncs the records (sync.py), declares the source's coverage and records the source."""

from __future__ import annotations

from typing import Any

from sharppower.errors import InputError, ValidationError
from sharppower.measures.evidence.records import evidence_indicators, normalise
from sharppower.measures.evidence.sync import SyncSummary, replace_coverage, sync_source
from sharppower.sources.load import LoadContext, record_source
from sharppower.steps import LoadResult


def normalise_rows(rows: list[dict[str, Any]], file: str, codebook) -> list[dict[str, Any]]:
    """Canonical records for raw rows carrying `_row` (the file row); a bad row raises an
    InputError naming file, row and field."""
    out = []
    for raw in rows:
        row = raw.get("_row")
        clean = {k: v for k, v in raw.items() if not k.startswith("_")}
        try:
            out.append(normalise(clean, codebook, default_status=clean.get("status") or "accepted"))
        except ValidationError as exc:
            raise InputError(file, exc.detail, row=row, field=exc.field) from None
    return out


def summary_warnings(summary: SyncSummary) -> list[str]:
    notes = []
    if summary.updated:
        notes.append(f"{summary.updated} record(s) changed in the source and were updated "
                     "(see their history)")
    if summary.withdrawn:
        notes.append(f"{summary.withdrawn} record(s) no longer in the source, marked "
                     "withdrawn_from_source")
    return notes


def load_evidence(ctx: LoadContext, source, snapshot, records: list[dict[str, Any]],
                  coverage: list[dict[str, Any]], coder: str, warnings: list[str]) -> LoadResult:
    """Sync canonical `records` of `source` and its coverage in one transaction."""
    layers = evidence_indicators(ctx.codebook)
    with ctx.db.begin() as conn:
        summary = sync_source(conn, source.name, records, coder, layers)
        replace_coverage(conn, source.name, coverage)
        record_source(conn, source, snapshot, len(records))
    years = sorted(int(r["start_date"][:4]) for r in records)
    return LoadResult(source.name, "loaded", len(records), len({r["target"] for r in records}),
                      (years[0], years[-1]) if years else None,
                      warnings + summary_warnings(summary))
