"""Reading and writing canonical records in the ledger tables, with history.

Every change goes through `insert_record` or `apply_changes`, which write one history
row per changed field (who, when, action, old and new value as JSON).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sharppower.measures.evidence import disarm
from sharppower.measures.evidence.dates import year_of
from sharppower.measures.evidence.records import FIELDS
from sharppower.measures.evidence.tables import (
    evidence,
    evidence_actors,
    evidence_codings,
    evidence_history,
    evidence_indicators,
    evidence_techniques,
)
from sharppower.store.database import insert_rows
from sharppower.store.locking import lock_rows

TRACKED = tuple(f for f in FIELDS if f != "id")
CHILD_FIELDS = ("actors", "indicators", "techniques")  # kept in child tables, not columns
JSON_COLUMNS = ("sources", "categories")


def now_utc() -> datetime:
    return datetime.now(UTC)


def as_utc(value: Any) -> datetime | None:
    """Timestamps from either backend (naive from SQLite) or ISO text -> aware UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"not a timestamp: {value!r}")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso(value: Any) -> str | None:
    stamp = as_utc(value)
    return stamp.isoformat() if stamp else None


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _columns(record: dict[str, Any]) -> dict[str, Any]:
    row = {k: record[k] for k in TRACKED if k not in CHILD_FIELDS}
    for k in JSON_COLUMNS:
        row[k] = dumps(record[k])
    row["start_year"] = year_of(record["start_date"])
    row["end_year"] = year_of(record["end_date"])
    return row


def _history(conn: Connection, rid: str, by: str, action: str, at: datetime,
             changes: list[tuple[str, Any, Any]]) -> None:
    if changes:
        conn.execute(evidence_history.insert(), [
            {"evidence_id": rid, "changed_at": at, "changed_by": by, "action": action,
             "field": f, "old_value": None if old is None else dumps(old),
             "new_value": None if new is None else dumps(new)}
            for f, old, new in changes])


def _write_children(conn: Connection, rid: str, record: dict[str, Any], layers: dict[str, str]) -> None:
    conn.execute(sa.delete(evidence_actors).where(evidence_actors.c.evidence_id == rid))
    conn.execute(sa.delete(evidence_indicators).where(evidence_indicators.c.evidence_id == rid))
    conn.execute(sa.delete(evidence_techniques).where(evidence_techniques.c.evidence_id == rid))
    if record["actors"]:
        conn.execute(evidence_actors.insert(), [
            {"evidence_id": rid, "actor": a, "position": i} for i, a in enumerate(record["actors"])])
    if record["indicators"]:
        conn.execute(evidence_indicators.insert(), [
            {"evidence_id": rid, "indicator": c, "layer": layers[c], "position": i}
            for i, c in enumerate(record["indicators"])])
    if record.get("techniques"):
        disarm.check_known(conn, record["techniques"])
        conn.execute(evidence_techniques.insert(), [
            {"evidence_id": rid, "technique": t, "position": i}
            for i, t in enumerate(record["techniques"])])


def insert_record(conn: Connection, record: dict[str, Any], layers: dict[str, str], by: str,
                  at: datetime | None = None, meta: dict[str, Any] | None = None) -> None:
    """Insert a new record; `meta` may carry created_at, updated_at, reviewed_by,
    reviewed_at, codings ({coder: [codes]}) and source_payload (imports keep them)."""
    at = at or now_utc()
    meta = meta or {}
    row = _columns(record) | {
        "id": record["id"], "created_at": as_utc(meta.get("created_at")) or at,
        "updated_at": as_utc(meta.get("updated_at")) or at,
        "reviewed_by": meta.get("reviewed_by"), "reviewed_at": as_utc(meta.get("reviewed_at")),
        "source_payload": meta.get("source_payload"),
    }
    conn.execute(evidence.insert(), row)
    _write_children(conn, record["id"], record, layers)
    codings = meta.get("codings")
    if codings is None:
        codings = {record["coder"]: record["indicators"] + record.get("techniques", [])}
    for coder, codes in codings.items():
        set_coding(conn, record["id"], coder, codes, as_utc(meta.get("created_at")) or at)
    _history(conn, record["id"], by, "create", at, [("record", None, record)])


def insert_records(conn: Connection, items: list[tuple[dict[str, Any], dict[str, Any] | None]],
                   layers: dict[str, str], by: str, at: datetime | None = None) -> int:
    """`insert_record` for many new records (record, meta) at once: set-based, a few bulk
    inserts per table instead of about nine statements per record, and no delete of child
    rows (the ids are new, and children need their record: foreign keys). Same rows."""
    if not items:
        return 0
    at = at or now_utc()
    techniques = sorted({t for record, _ in items for t in record.get("techniques") or []})
    disarm.check_known(conn, techniques)
    rows, actors, indicators, techs, codings, history = [], [], [], [], [], []
    for record, meta in items:
        meta = meta or {}
        rid = record["id"]
        created = as_utc(meta.get("created_at"))
        rows.append(_columns(record) | {
            "id": rid, "created_at": created or at,
            "updated_at": as_utc(meta.get("updated_at")) or at,
            "reviewed_by": meta.get("reviewed_by"), "reviewed_at": as_utc(meta.get("reviewed_at")),
            "source_payload": meta.get("source_payload"),
        })
        actors += [{"evidence_id": rid, "actor": a, "position": i}
                   for i, a in enumerate(record["actors"])]
        indicators += [{"evidence_id": rid, "indicator": c, "layer": layers[c], "position": i}
                       for i, c in enumerate(record["indicators"])]
        techs += [{"evidence_id": rid, "technique": t, "position": i}
                  for i, t in enumerate(record.get("techniques") or [])]
        coded = meta.get("codings")
        if coded is None:
            coded = {record["coder"]: record["indicators"] + record.get("techniques", [])}
        codings += [{"evidence_id": rid, "coder": coder, "indicators": dumps(list(codes)),
                     "coded_at": created or at} for coder, codes in coded.items()]
        history.append({"evidence_id": rid, "changed_at": at, "changed_by": by,
                        "action": "create", "field": "record", "old_value": None,
                        "new_value": dumps(record)})
    for table, table_rows in ((evidence, rows), (evidence_actors, actors),
                              (evidence_indicators, indicators), (evidence_techniques, techs),
                              (evidence_codings, codings), (evidence_history, history)):
        insert_rows(conn, table, table_rows)
    return len(rows)


def apply_changes(conn: Connection, old: dict[str, Any], new: dict[str, Any], layers: dict[str, str],
                  by: str, action: str = "update", at: datetime | None = None,
                  extra: dict[str, Any] | None = None) -> list[str]:
    """Write the tracked fields of `new` that differ from `old` (and only those columns);
    return their names. `old` must be the row as stored now: read it under `lock_record`
    in the same transaction, so each history row's old value is the value replaced."""
    changes = [(f, old[f], new[f]) for f in TRACKED if f in new and new[f] != old[f]]
    if not changes and not extra:
        return []
    at = at or now_utc()
    merged = dict(old) | {f: new_v for f, _, new_v in changes}
    columns = _columns(merged)
    names = {f for f, _, _ in changes}
    if "start_date" in names:
        names.add("start_year")
    if "end_date" in names:
        names.add("end_year")
    values = {k: v for k, v in columns.items() if k in names} | {"updated_at": at} | (extra or {})
    conn.execute(sa.update(evidence).where(evidence.c.id == old["id"]).values(**values))
    if any(f in CHILD_FIELDS for f, _, _ in changes):
        _write_children(conn, old["id"], merged, layers)
    _history(conn, old["id"], by, action, at, changes)
    return [f for f, _, _ in changes]


def lock_record(conn: Connection, rid: str) -> None:
    """Hold the record's row until the transaction ends (PostgreSQL FOR UPDATE; SQLite's
    BEGIN IMMEDIATE has already locked the database)."""
    lock_rows(conn, evidence, evidence.c.id == rid)


VERSIONED = ("updated_at", "reviewed_by", "reviewed_at", "codings")


def version_of(record: dict[str, Any]) -> str:
    """The record's optimistic version (its ETag): a digest of every stored field, so any
    committed change gives a new version."""
    body = {k: record.get(k) for k in TRACKED} | {k: record.get(k) for k in VERSIONED}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:20]


def set_coding(conn: Connection, rid: str, coder: str, codes: list[str], at: datetime) -> None:
    conn.execute(sa.delete(evidence_codings).where(
        (evidence_codings.c.evidence_id == rid) & (evidence_codings.c.coder == coder)))
    conn.execute(evidence_codings.insert(), {"evidence_id": rid, "coder": coder,
                                             "indicators": dumps(list(codes)), "coded_at": at})


def record_history(conn: Connection, rid: str, by: str, action: str,
                   changes: list[tuple[str, Any, Any]], at: datetime | None = None) -> None:
    _history(conn, rid, by, action, at or now_utc(), changes)


def _children(conn: Connection, table: sa.Table, column: str, ids: sa.Select | None) -> dict:
    stmt = sa.select(table.c.evidence_id, table.c[column]).order_by(table.c.evidence_id, table.c.position)
    if ids is not None:
        stmt = stmt.where(table.c.evidence_id.in_(ids))
    out: dict[str, list] = defaultdict(list)
    for rid, value in conn.execute(stmt):
        out[rid].append(value)
    return out


def _codings(conn: Connection, ids: sa.Select | None) -> dict[str, dict[str, list[str]]]:
    stmt = sa.select(evidence_codings).order_by(evidence_codings.c.evidence_id, evidence_codings.c.coder)
    if ids is not None:
        stmt = stmt.where(evidence_codings.c.evidence_id.in_(ids))
    out: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for row in conn.execute(stmt).mappings():
        out[row["evidence_id"]][row["coder"]] = json.loads(row["indicators"])
    return out


def read_records(conn: Connection, where: sa.ColumnElement | None = None,
                 order: bool = True, newest: int | None = None) -> list[dict[str, Any]]:
    """Canonical records (plus created_at, updated_at, reviewed_by, reviewed_at, codings,
    source_payload) matching `where` on the evidence table; with `newest`, only that many
    with the latest start dates, newest first."""
    stmt = sa.select(evidence)
    ids = None
    if where is not None:
        stmt = stmt.where(where)
        ids = sa.select(evidence.c.id).where(where)
    if newest is not None:
        stmt = stmt.order_by(evidence.c.start_date.desc(), evidence.c.id.desc()).limit(int(newest))
    elif order:
        stmt = stmt.order_by(evidence.c.start_date, evidence.c.id)
    rows = list(conn.execute(stmt).mappings())
    if newest is not None:  # the children of these rows only
        ids = [row["id"] for row in rows]
    actors = _children(conn, evidence_actors, "actor", ids)
    codes = _children(conn, evidence_indicators, "indicator", ids)
    techniques = _children(conn, evidence_techniques, "technique", ids)
    codings = _codings(conn, ids)
    out = []
    for row in rows:
        rec = {k: row[k] for k in TRACKED if k not in CHILD_FIELDS}
        rec["id"] = row["id"]
        for k in JSON_COLUMNS:
            rec[k] = json.loads(row[k]) if row[k] else []
        rec["ongoing"] = bool(rec["ongoing"])
        rec["withdrawn_from_source"] = bool(rec["withdrawn_from_source"])
        rec["actors"] = actors.get(row["id"], [])
        rec["indicators"] = codes.get(row["id"], [])
        rec["techniques"] = techniques.get(row["id"], [])
        rec.update(created_at=as_utc(row["created_at"]), updated_at=as_utc(row["updated_at"]),
                   reviewed_by=row["reviewed_by"], reviewed_at=as_utc(row["reviewed_at"]),
                   codings=codings.get(row["id"], {}), source_payload=row["source_payload"])
        out.append(rec)
    return out


def read_record(conn: Connection, rid: str) -> dict[str, Any] | None:
    found = read_records(conn, evidence.c.id == rid, order=False)
    return found[0] if found else None


def read_history(conn: Connection, rid: str) -> list[dict[str, Any]]:
    stmt = sa.select(evidence_history).where(evidence_history.c.evidence_id == rid).order_by(
        evidence_history.c.id)
    return [
        {"changed_at": iso(r["changed_at"]), "changed_by": r["changed_by"], "action": r["action"],
         "field": r["field"],
         "old_value": json.loads(r["old_value"]) if r["old_value"] is not None else None,
         "new_value": json.loads(r["new_value"]) if r["new_value"] is not None else None}
        for r in conn.execute(stmt).mappings()
    ]
