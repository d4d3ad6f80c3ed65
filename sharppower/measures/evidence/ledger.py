"""The ledger's Python API (used by the CLI and the web API; keep the signatures stable).

- `add_evidence(db, record, coder)` -> dict: validates, stores a `proposed` record.
- `get_evidence(db, id)` -> dict: every field (raw `narrative` included, see present.py),
  `narrative_html`, `narrative_text`, `codings` and `history` (list of dicts).
- `list_evidence(db, actor=, target=, year=, domain=, status=, q=, ...)` -> DataFrame
  with the columns `present.LIST_COLUMNS` (`newest=N`: the N latest, newest first).
- `count_evidence(db, target=, actor=)` -> DataFrame: origin, status, records.
- `update_evidence(db, id, changes, coder)` -> dict: edit or adjudicate (not status).
- `review(db, id, decision, reviewer)` -> dict: accept or reject; never by the record's
  coder or its last editor.
- `code(db, id, coder, indicators)` -> dict: a coder's independent coding of a record.
- `history(db, id)` -> DataFrame: changed_at, changed_by, action, field, old_value, new_value.

Field names, fixed fields, four eyes and reopening are checked by rules.py, which the
imports and source loads share. The write functions take `audit=` (`(conn, id)`): the
caller's audit row, written in the write's own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import sqlalchemy as sa

from sharppower.codebook import Codebook
from sharppower.errors import NotFound, StaleVersion, ValidationError
from sharppower.measures.evidence import disarm, rules, store
from sharppower.measures.evidence.present import LIST_COLUMNS, view
from sharppower.measures.evidence.records import (
    STATUSES,
    check_indicators,
    default_codebook,
    evidence_indicators,
    normalise,
)
from sharppower.measures.evidence.tables import evidence, evidence_actors, evidence_techniques
from sharppower.measures.evidence.tables import evidence_indicators as ev_ind
from sharppower.store import Database
from sharppower.store.locking import write_transaction

# The write rules every door shares (rules.py): kept here under their old names too.
MINOR_FIELDS = rules.MINOR_FIELDS
FIXED_FIELDS = rules.FIXED_FIELDS
Audit = rules.Audit
DECISIONS = {"accept": "accepted", "accepted": "accepted", "reject": "rejected",
             "rejected": "rejected"}


class SelfReviewError(ValidationError):
    """A coder tried to review (accept or reject) their own record."""


def _codebook(codebook: Codebook | None) -> Codebook:
    return codebook or default_codebook()


def _require(conn, rid: str) -> dict[str, Any]:
    rec = store.read_record(conn, rid)
    if rec is None:
        raise NotFound(f"no evidence record {rid!r}")
    return rec


def _locked(conn, rid: str, expected_version: str | None) -> dict[str, Any]:
    """The record as stored now, its row locked until the transaction ends; StaleVersion
    when `expected_version` is given and is not the current one."""
    store.lock_record(conn, rid)
    rec = _require(conn, rid)
    current = store.version_of(rec)
    if expected_version is not None and expected_version != current:
        raise StaleVersion(f"record {rid}", expected_version, current)
    return rec


def add_evidence(db: Database, record: Mapping[str, Any], coder: str,
                 codebook: Codebook | None = None, audit: Audit | None = None) -> dict[str, Any]:
    """Validate and store a new record as `proposed` by `coder`; returns get_evidence().
    Unknown fields, fixed fields (origin, origin_key, timestamps, another coder) and review
    stamps are a ValidationError naming them. `audit(conn, id)` (optional) writes the audit row
    in the same transaction as the record."""
    cb = _codebook(codebook)
    if not coder or not str(coder).strip():
        raise ValidationError("coder", "the coder's name is required")
    rules.check_new_keys(record, coder)
    # records added by hand are `manual`; source origins belong to the importers
    raw = dict(record) | {"coder": coder, "origin": "manual", "origin_key": None,
                          "withdrawn_from_source": False}
    if raw.get("status") not in (None, "", "proposed"):
        raise ValidationError("status", "a new record is proposed; another coder accepts or rejects it")
    rec = normalise(raw, cb)
    exists = ValidationError("id", f"a record {rec['id']!r} already exists")
    try:
        with write_transaction(db) as conn:
            if store.read_record(conn, rec["id"]) is not None:
                raise exists
            store.insert_record(conn, rec, evidence_indicators(cb), by=rec["coder"])
            if audit:
                audit(conn, rec["id"])
    except sa.exc.IntegrityError:
        raise exists from None  # a concurrent writer stored the same id first
    return get_evidence(db, rec["id"], cb)


def get_evidence(db: Database, rid: str, codebook: Codebook | None = None) -> dict[str, Any]:
    """One record with everything: raw narrative, sanitised forms, codings, history."""
    with db.connect() as conn:
        rec = _require(conn, rid)
        out = view(rec, _codebook(codebook), raw=True)
        out["version"] = store.version_of(rec)
        out["history"] = store.read_history(conn, rid)
    return out


def _technique_filter(conn, technique: str | None, tactic: str | None) -> list:
    """Records coded to a DISARM technique (its sub-techniques included) or to any
    technique of a tactic."""
    where = []
    if technique:
        code = disarm.technique_ids([technique], "technique")[0]
        col = evidence_techniques.c.technique
        where.append(evidence.c.id.in_(sa.select(evidence_techniques.c.evidence_id).where(
            (col == code) | col.like(f"{code}.%"))))
    if tactic:
        codes = disarm.techniques_of_tactic(conn, tactic) or ["(none)"]
        where.append(evidence.c.id.in_(sa.select(evidence_techniques.c.evidence_id).where(
            evidence_techniques.c.technique.in_(codes))))
    return where


def _filters(actor, target, year, domain, indicator, status, q, origin, withdrawn, cb) -> list:
    where = []
    if actor:
        where.append(evidence.c.id.in_(sa.select(evidence_actors.c.evidence_id)
                                       .where(evidence_actors.c.actor == actor.upper())))
    if target:
        where.append(evidence.c.target == target.upper())
    if year is not None:
        last = sa.func.coalesce(evidence.c.end_year, evidence.c.start_year)
        where.append((evidence.c.start_year <= int(year))
                     & ((evidence.c.ongoing == sa.true()) | (last >= int(year))))
    codes = []
    if domain:
        ind = cb.indicators
        codes = list(ind[ind["domain"] == domain]["code"]) or ["(none)"]
    if indicator:
        codes = [indicator] if not domain else [c for c in codes if c == indicator] or ["(none)"]
    if codes:
        where.append(evidence.c.id.in_(sa.select(ev_ind.c.evidence_id).where(ev_ind.c.indicator.in_(codes))))
    if status:
        statuses = [status] if isinstance(status, str) else list(status)
        where.append(evidence.c.status.in_(statuses))
    if q:
        text = q.lower()  # literal: % and _ are escaped, not wildcards
        where.append(sa.func.lower(evidence.c.title).contains(text, autoescape=True)
                     | sa.func.lower(sa.func.coalesce(evidence.c.narrative, ""))
                     .contains(text, autoescape=True))
    if origin:
        where.append(evidence.c.origin == origin)
    if withdrawn is not None:
        where.append(evidence.c.withdrawn_from_source == bool(withdrawn))
    return where


def list_evidence(db: Database, actor: str | None = None, target: str | None = None,
                  year: int | None = None, domain: str | None = None, status: str | Iterable[str] | None = None,
                  q: str | None = None, indicator: str | None = None, origin: str | None = None,
                  withdrawn: bool | None = None, codebook: Codebook | None = None,
                  technique: str | None = None, tactic: str | None = None,
                  newest: int | None = None) -> pd.DataFrame:
    """Records matching every filter given, ordered by start date and id (with `newest`:
    only that many with the latest start dates, newest first).

    `year`: active in that year (started by then and not ended before; ongoing counts);
    `domain`: coded to an indicator of that codebook domain; `q`: case-insensitive text in
    title or narrative (literal: % and _ are not wildcards); `withdrawn`: True/False to
    select on `withdrawn_from_source`;
    `technique`: coded to that DISARM technique or one of its sub-techniques; `tactic`:
    coded to a technique of that DISARM tactic (ValidationError when it is not loaded).
    Columns: present.LIST_COLUMNS (lists stay Python lists; timestamps ISO text).
    """
    cb = _codebook(codebook)
    where = _filters(actor, target, year, domain, indicator, status, q, origin, withdrawn, cb)
    with db.connect() as conn:
        where += _technique_filter(conn, technique, tactic)
        recs = store.read_records(conn, sa.and_(*where) if where else None, newest=newest)
    layers = evidence_indicators(cb)
    return pd.DataFrame([view(r, cb, layers=layers) for r in recs], columns=LIST_COLUMNS)


def count_evidence(db: Database, target: str | None = None, actor: str | None = None
                   ) -> pd.DataFrame:
    """How many records a target (and actor) has, per origin and status: columns origin,
    status, records."""
    where = _filters(actor, target, None, None, None, None, None, None, None, None)
    stmt = (sa.select(evidence.c.origin, evidence.c.status,
                      sa.func.count().label("records"))
            .where(*where).group_by(evidence.c.origin, evidence.c.status)
            .order_by(evidence.c.origin, evidence.c.status))
    return db.read(stmt)


def _merge(old: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    merged = {**old, **changes}
    for part in ("start", "end"):
        if f"{part}_date" in changes and f"{part}_precision" not in changes:
            merged[f"{part}_precision"] = None  # re-infer from the new date's form
    if changes.get("ongoing") and "end_date" not in changes:
        merged["end_date"] = None
    if changes.get("end_date") and "ongoing" not in changes:
        merged["ongoing"] = False
    return merged


def update_evidence(db: Database, rid: str, changes: Mapping[str, Any], coder: str,
                    codebook: Codebook | None = None,
                    expected_version: str | None = None,
                    audit: Audit | None = None) -> dict[str, Any]:
    """Edit fields of a record (adjudication included); status changes go through review().

    Only the fields given change, read and written under the record's lock (history
    keeps the value actually replaced). A change to any field but notes sends an accepted
    record back to `proposed`. `expected_version` (get_evidence()["version"]): refuse with
    StaleVersion when the record changed since. Unknown fields, fixed fields
    (rules.FIXED_FIELDS), status and review stamps are a ValidationError naming them.
    `audit(conn, id)` (optional) writes the audit row in the same transaction."""
    cb = _codebook(codebook)
    if not coder or not str(coder).strip():
        raise ValidationError("coder", "the editor's name is required")
    rules.check_edit_keys(changes)
    with write_transaction(db) as conn:
        old = _locked(conn, rid, expected_version)
        new = normalise(_merge(old, changes), cb)
        changed = store.apply_changes(conn, old, new, evidence_indicators(cb), by=coder,
                                      action="update")
        rules.reopen(conn, old, changed, coder)
        if audit:
            audit(conn, rid)
    return get_evidence(db, rid, cb)


def review(db: Database, rid: str, decision: str, reviewer: str, note: str | None = None,
           codebook: Codebook | None = None,
           expected_version: str | None = None, audit: Audit | None = None) -> dict[str, Any]:
    """Accept or reject a record. The reviewer must be neither the record's coder nor its
    last editor (SelfReviewError, a ValidationError on field 'reviewer'). `audit(conn, id)`
    (optional) writes the audit row in the same transaction."""
    status = DECISIONS.get(str(decision).lower())
    if status is None:
        raise ValidationError("decision", f"must be accept or reject, not {decision!r}")
    if not reviewer or not str(reviewer).strip():
        raise ValidationError("reviewer", "the reviewer's name is required")
    cb = _codebook(codebook)
    with write_transaction(db) as conn:
        old = _locked(conn, rid, expected_version)
        rules.check_reviewer(conn, old, reviewer.strip(), SelfReviewError)
        at = store.now_utc()
        extra = {"reviewed_by": reviewer.strip(), "reviewed_at": at}
        store.apply_changes(conn, old, dict(old, status=status), evidence_indicators(cb),
                            by=reviewer.strip(), action="review", at=at, extra=extra)
        if note:
            store.record_history(conn, rid, reviewer.strip(), "review", [("note", None, note)], at)
        if audit:
            audit(conn, rid)
    return get_evidence(db, rid, cb)


def code(db: Database, rid: str, coder: str, indicators: Iterable[str],
         codebook: Codebook | None = None, expected_version: str | None = None,
         techniques: Iterable[str] = (), audit: Audit | None = None) -> dict[str, Any]:
    """Record `coder`'s independent coding of a record (replacing their earlier one): the
    codebook indicators and the DISARM techniques that apply, in one list of codes.
    The record's adopted codes do not change (adjudicate with update_evidence)."""
    cb = _codebook(codebook)
    if not coder or not str(coder).strip():
        raise ValidationError("coder", "the coder's name is required")
    codes = check_indicators({"indicators": list(indicators)}, cb)
    chosen = disarm.technique_ids(list(techniques))
    codes += chosen
    with write_transaction(db) as conn:
        disarm.check_known(conn, chosen)
        old = _locked(conn, rid, expected_version)
        before = old["codings"].get(coder.strip())
        if before != codes:
            at = store.now_utc()
            store.set_coding(conn, rid, coder.strip(), codes, at)
            store.record_history(conn, rid, coder.strip(), "code",
                                 [(f"coding:{coder.strip()}", before, codes)], at)
        if audit:
            audit(conn, rid)
    return get_evidence(db, rid, cb)


def history(db: Database, rid: str) -> pd.DataFrame:
    """The change history of a record, oldest first."""
    with db.connect() as conn:
        _require(conn, rid)
        rows = store.read_history(conn, rid)
    return pd.DataFrame(rows, columns=["changed_at", "changed_by", "action", "field",
                                       "old_value", "new_value"])


__all__ = [
    "STATUSES",
    "SelfReviewError",
    "add_evidence",
    "code",
    "get_evidence",
    "history",
    "list_evidence",
    "review",
    "update_evidence",
]
