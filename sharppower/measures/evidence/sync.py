"""Idempotent re-import of a source's records (ASD, coercion cases, starter evidence).

`sync_source(conn, origin, records, coder)` compares each incoming record with what the
source said last time (`source_payload`), not with the record as it stands: a field the
source changed is updated (with history, by `coder`), a field an analyst edited and the
source did not change is left alone. Unchanged records are not touched (updated_at
stays). Records the source no longer lists get `withdrawn_from_source = true` (with
history) and are never deleted; they are restored if they come back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sharppower.errors import InputError
from sharppower.measures.evidence import store
from sharppower.measures.evidence.tables import evidence, evidence_coverage

SOURCE_FIELDS = ("actors", "target", "start_date", "start_precision", "end_date", "end_precision",
                 "ongoing", "title", "narrative", "sources", "categories", "indicators",
                 "confidence", "origin_key", "notes")


@dataclass
class SyncSummary:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    restored: int = 0
    changed_fields: dict[str, list[str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged


def _payload(rec: dict[str, Any]) -> dict[str, Any]:
    return {f: rec[f] for f in SOURCE_FIELDS}


def _last(old: dict[str, Any]) -> dict[str, Any]:
    if old.get("source_payload"):
        return json.loads(old["source_payload"])
    return _payload(old)


def _update(conn: Connection, old: dict[str, Any], rec: dict[str, Any], layers: dict[str, str],
            coder: str, summary: SyncSummary) -> None:
    payload = _payload(rec)
    last = _last(old)
    changed = {f: payload[f] for f in SOURCE_FIELDS if payload[f] != last.get(f)}
    restore = old["withdrawn_from_source"]
    if not changed and not restore:
        if not old.get("source_payload"):  # e.g. restored from an export: remember, no change
            conn.execute(sa.update(evidence).where(evidence.c.id == old["id"])
                         .values(source_payload=store.dumps(payload)))
        summary.unchanged += 1
        return
    new = dict(old) | changed | {"withdrawn_from_source": False}
    fields = store.apply_changes(conn, old, new, layers, by=coder, action="import",
                                 extra={"source_payload": store.dumps(payload)})
    if "indicators" in changed:
        store.set_coding(conn, old["id"], coder, payload["indicators"], store.now_utc())
    if fields:
        summary.updated += 1
        summary.restored += int(restore)
        summary.changed_fields[old["id"]] = fields
    else:
        summary.unchanged += 1


def _check_ids_free(conn: Connection, origin: str, new_ids: list[str]) -> None:
    """The ids a load would insert are not held by a record of another origin (a store
    whose record lost its origin before edits refused that): InputError naming the id."""
    if not new_ids:
        return
    taken = dict(conn.execute(sa.select(evidence.c.id, evidence.c.origin)
                              .where(evidence.c.origin != origin)).all())
    clash = [i for i in new_ids if i in taken]
    if clash:
        raise InputError(origin, f"record {clash[0]} is in the ledger with origin "
                         f"{taken[clash[0]]!r}, not {origin!r} ({len(clash)} such id(s)); "
                         "restore its origin or remove it, then load again",
                         row=clash[0], field="id")


def sync_source(conn: Connection, origin: str, records: list[dict[str, Any]], coder: str,
                layers: dict[str, str]) -> SyncSummary:
    """Bring the ledger's records of `origin` in line with `records` (canonical dicts whose
    `origin` is `origin`), inside the caller's transaction."""
    summary = SyncSummary()
    existing = {r["id"]: r for r in store.read_records(conn, evidence.c.origin == origin, order=False)}
    _check_ids_free(conn, origin, [r["id"] for r in records if r["id"] not in existing])
    seen = set()
    new = []
    for rec in records:
        seen.add(rec["id"])
        old = existing.get(rec["id"])
        if old is None:
            new.append((rec, {"source_payload": store.dumps(_payload(rec))}))
        else:
            _update(conn, old, rec, layers, coder, summary)
    summary.inserted += store.insert_records(conn, new, layers, by=coder)  # set-based
    for rid, old in existing.items():
        if rid not in seen and not old["withdrawn_from_source"]:
            store.apply_changes(conn, old, dict(old, withdrawn_from_source=True), layers,
                                by=coder, action="withdraw")
            summary.withdrawn += 1
    return summary


def replace_coverage(conn: Connection, origin: str, rows: list[dict[str, Any]]) -> int:
    """Declare what `origin` covers: rows of actor, target, indicator, first_year,
    last_year, last_date, note (replacing its earlier declaration)."""
    conn.execute(sa.delete(evidence_coverage).where(evidence_coverage.c.origin == origin))
    if rows:
        conn.execute(evidence_coverage.insert(), [dict(r, origin=origin) for r in rows])
    return len(rows)
