"""The ledger's write rules: what every door (API, CLI, CSV/JSON/STIX import, source loads)
may write, checked in one place so no door goes around review.

- Fields a writer names must exist (`check_new_keys`, `check_edit_keys`: unknown or
  mistyped names such as `Title` or `STATUS` are a ValidationError naming them, never
  silently ignored). Fixed fields (`FIXED_FIELDS`: id, origin, origin_key, coder,
  created_at, updated_at) are never written by an edit; status and the review stamps
  only by review.
- Four eyes (`check_reviewer`): the reviewer is neither the record's coder nor its last
  editor (who last changed a field other than notes).
- Reopen (`reopen`): a change to any field but notes of an accepted record sends it back
  to `proposed` (history `reopen`), whichever door made it.
- Imports (`import_one`): a new record keeps its status only when it names a reviewer who
  is not its coder, or when its origin's declared policy accepts it (a source's mapping,
  e.g. `source:asd` accepts `asd-interference-tracker` records); an existing record keeps
  its status, coder, origin and review stamps (an import never changes them; a different
  origin, origin_key or coder is an InputError), and a substantive change reopens it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sharppower.errors import InputError, ValidationError
from sharppower.measures.evidence import store
from sharppower.measures.evidence.mapping import mapping_text
from sharppower.measures.evidence.tables import evidence, evidence_history
from sharppower.yaml_load import safe_load

# Fields an edit (PATCH, CLI edit) may change.
EDITABLE = ("actors", "target", "start_date", "start_precision", "end_date", "end_precision",
            "ongoing", "title", "narrative", "sources", "categories", "indicators", "techniques",
            "confidence", "withdrawn_from_source", "notes")
# Other names a new record may be given (aliases normalise() understands).
ALIASES = ("actor", "source_url", "publisher")
# Fields that identify the record, its origin and its author: never edited.
FIXED_FIELDS = ("id", "origin", "origin_key", "coder", "created_at", "updated_at")
# Set by review() only.
REVIEW_FIELDS = ("status", "reviewed_by", "reviewed_at")
# Fields a coder may change on an accepted record without sending it back to review.
MINOR_FIELDS = ("notes",)
# History actions that change a record's content (who did it is its last editor).
EDIT_ACTIONS = ("create", "update", "import")
# Source mappings (mappings/<name>.yaml) that declare an accepting policy, by origin.
POLICY_MAPPINGS = {"asd-interference-tracker": "asd", "coercion-cases": "coercion",
                   "euvsdisinfo": "euvsdisinfo"}
STARTER_POLICY = ("starter-evidence", "starter", "accepted")

# audit(conn, record id or None): writes the audit row of a write inside its transaction
Audit = Callable[[Connection, str | None], None]


def _names(keys: Iterable[Any]) -> list[str]:
    return [str(k) for k in keys]


def _unknown(keys: list[str], allowed: Iterable[str]) -> None:
    known = set(allowed)
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise ValidationError(", ".join(unknown), "unknown field(s) (names are lower case, "
                              f"e.g. title, status); known: {', '.join(sorted(known))}")


def check_new_keys(record: Mapping[str, Any], coder: str) -> None:
    """A new record names only known fields, no fixed field but its id (and its coder, when
    that is the writer) and no review stamp."""
    keys = _names(record)
    _unknown(keys, (*EDITABLE, *ALIASES, *FIXED_FIELDS, *REVIEW_FIELDS))
    fixed = [k for k in keys if k in FIXED_FIELDS and k != "id" and not (
        k == "coder" and str(record[k] or "").strip() in ("", coder.strip()))]
    fixed += [k for k in keys if k in ("reviewed_by", "reviewed_at")]
    if fixed:
        raise ValidationError(", ".join(fixed), "set by the ledger, not by the writer "
                              "(the coder is you; origin is manual; review stamps come "
                              "from review)")


def check_edit_keys(changes: Mapping[str, Any]) -> None:
    """An edit names only editable fields: unknown names, fixed fields, status and review
    stamps are each a ValidationError naming them."""
    keys = _names(changes)
    _unknown(keys, (*EDITABLE, *FIXED_FIELDS, *REVIEW_FIELDS))
    fixed = [k for k in keys if k in FIXED_FIELDS]
    if fixed:
        raise ValidationError(", ".join(fixed), "fixed: a record's id, origin, origin_key, "
                              "coder and timestamps cannot be edited")
    if "status" in keys:
        raise ValidationError("status", "use review() to accept or reject a record")
    stamps = [k for k in keys if k in REVIEW_FIELDS]
    if stamps:
        raise ValidationError(", ".join(stamps), "set by review(), not edited")


def last_editor(conn: Connection, rid: str) -> str | None:
    """Who last changed a field of the record other than notes (created, edited, imported)."""
    h = evidence_history
    stmt = (sa.select(h.c.changed_by)
            .where(h.c.evidence_id == rid, h.c.action.in_(EDIT_ACTIONS),
                   h.c.field.notin_(MINOR_FIELDS))
            .order_by(h.c.id.desc()).limit(1))
    return conn.execute(stmt).scalar()


def check_reviewer(conn: Connection, record: dict[str, Any], reviewer: str,
                   error: type[ValidationError] = ValidationError) -> None:
    """The reviewer is neither the record's coder nor its last editor (four eyes)."""
    rid = record["id"]
    if record["coder"] == reviewer:
        raise error("reviewer", f"{reviewer} coded record {rid} and cannot review it; "
                    "another coder must")
    if last_editor(conn, rid) == reviewer:
        raise error("reviewer", f"{reviewer} last edited record {rid} and cannot review it; "
                    "another reviewer must")


def reopen(conn: Connection, old: dict[str, Any], changed: list[str], by: str) -> bool:
    """A substantive change to an accepted record sends it back to `proposed`; True if so."""
    substantive = [f for f in changed if f not in MINOR_FIELDS]
    if old["status"] != "accepted" or not substantive:
        return False
    at = store.now_utc()
    conn.execute(sa.update(evidence).where(evidence.c.id == old["id"]).values(
        status="proposed", reviewed_by=None, reviewed_at=None, updated_at=at))
    why = (f"changed {', '.join(substantive)} of a record accepted by "
           f"{old['reviewed_by'] or old['coder']}; it needs a new review")
    store.record_history(conn, old["id"], by, "reopen",
                         [("status", "accepted", "proposed"), ("note", None, why)], at)
    return True


@lru_cache(maxsize=1)
def declared_policies() -> dict[str, tuple[str, str]]:
    """origin -> (coder, status) a source load stores its records with (mappings/*.yaml)."""
    out = {STARTER_POLICY[0]: STARTER_POLICY[1:]}
    for origin, name in POLICY_MAPPINGS.items():
        data = safe_load(mapping_text(name)) or {}
        out[origin] = (str(data.get("coder")), str(data.get("status")))
    return out


def by_declared_policy(rec: dict[str, Any]) -> bool:
    """The record is as its origin's source load stores it (coder and status declared)."""
    return declared_policies().get(rec["origin"]) == (rec["coder"], rec["status"])


def check_imported_review(rec: dict[str, Any], meta: dict[str, Any], where: str,
                          row: int | str) -> None:
    """A new record imported as accepted or rejected names a reviewer who is not its coder
    (records as their source's declared policy stores them aside)."""
    if rec["status"] == "proposed" or by_declared_policy(rec):
        return
    reviewer = str(meta.get("reviewed_by") or "").strip()
    if not reviewer:
        raise InputError(where, f"a record imported as {rec['status']} must name its reviewer",
                         row=row, field="reviewed_by")
    if reviewer == rec["coder"]:
        raise InputError(where, f"{reviewer} coded this record and cannot have reviewed it; "
                         "another coder must", row=row, field="reviewed_by")


def import_one(conn: Connection, rec: dict[str, Any], meta: dict[str, Any],
               layers: dict[str, str], by: str, where: str, row: int | str,
               fixed: tuple[str, ...] = ("origin", "origin_key", "coder"),
               check_created: bool = True, keep: tuple[str, ...] = ()) -> str:
    """Write one imported record (inside the caller's transaction): 'inserted', 'updated' or
    'unchanged'. A new record is stored as given (its review checked by
    check_imported_review); an existing one keeps its status, coder and review stamps (and
    the fields in `keep`, which the file does not carry), its `fixed` fields must match,
    and a substantive change to it reopens it if accepted."""
    old = store.read_record(conn, rec["id"])
    if old is None:
        check_imported_review(rec, meta, where, row)
        store.insert_record(conn, rec, layers, by=by, meta=meta)
        return "inserted"
    for name in fixed:
        if rec[name] != old[name]:
            raise InputError(where, f"record {rec['id']} has {name} {old[name]!r}; an import "
                             f"cannot change it to {rec[name]!r}", row=row, field=name)
    created = meta.get("created_at")
    if check_created and created is not None and created != old["created_at"]:
        raise InputError(where, f"record {rec['id']} was created at "
                         f"{store.iso(old['created_at'])}; an import cannot change that",
                         row=row, field="created_at")
    new = dict(rec, status=old["status"], coder=old["coder"]) | {k: old[k] for k in keep}
    changed = store.apply_changes(conn, old, new, layers, by=by, action="import")
    for name, codes in (meta.get("codings") or {}).items():
        if old["codings"].get(name) != codes:
            store.set_coding(conn, rec["id"], name, codes, store.now_utc())
            store.record_history(conn, rec["id"], by, "import",
                                 [(f"coding:{name}", old["codings"].get(name), codes)])
            changed.append(f"coding:{name}")
    reopen(conn, old, [f for f in changed if not f.startswith("coding:")], by)
    return "updated" if changed else "unchanged"
