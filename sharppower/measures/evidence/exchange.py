"""Export and import of records as CSV, JSON or YAML (lossless round trip, history aside).

Every exported record has the canonical fields (records.FIELDS) plus created_at,
updated_at, reviewed_by, reviewed_at and codings ({coder: [codes]}). Dates are full ISO
dates with their precision. In CSV, lists and mappings are JSON text and booleans are
`true`/`false`. `import_file` validates every row before writing anything; a bad row
(an unknown column or key, a row with more fields than the header, a NUL character,
nesting too deep to read) raises an InputError naming the file, row and field. Existing
ids are updated field by field (with history) through rules.import_one: their status,
coder, origin and review stamps never change by import and a substantive change reopens
an accepted record; new ids are inserted with their timestamps, and as accepted or
rejected only when they name a reviewer other than their coder (rules.py).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import yaml

from sharppower.codebook import Codebook
from sharppower.errors import InputError, ValidationError
from sharppower.measures.evidence import disarm, rules, store
from sharppower.measures.evidence.records import (
    FIELDS,
    as_list,
    default_codebook,
    evidence_indicators,
    limited,
    normalise,
)
from sharppower.sources.readers import FIELD_LIMIT, field_limit
from sharppower.store import Database
from sharppower.store.locking import write_transaction
from sharppower.yaml_load import safe_load

META = ("created_at", "updated_at", "reviewed_by", "reviewed_at", "codings")
EXPORT_COLUMNS = list(FIELDS) + list(META)
# Names an imported record may use: the export's columns and normalise()'s aliases.
IMPORT_NAMES = frozenset(EXPORT_COLUMNS) | frozenset(rules.ALIASES)
FORMATS = ("csv", "json")


def export_records(db: Database) -> list[dict[str, Any]]:
    """Every record as an export dict (ordered by id)."""
    with db.connect() as conn:
        recs = store.read_records(conn, order=False)
    out = []
    for rec in sorted(recs, key=lambda r: r["id"]):
        row = {k: rec[k] for k in FIELDS}
        row.update(created_at=store.iso(rec["created_at"]), updated_at=store.iso(rec["updated_at"]),
                   reviewed_by=rec["reviewed_by"], reviewed_at=store.iso(rec["reviewed_at"]),
                   codings=rec["codings"])
        out.append(row)
    return out


# A cell a spreadsheet would run as a formula starts with one of these; export prefixes
# such cells (and cells starting with the prefix itself) with "'", import removes it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def formula_safe(text: str) -> str:
    """`text` prefixed with "'" when a spreadsheet would run it as a formula (it starts
    with =, +, -, @, a tab, a carriage return or the prefix itself)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return formula_safe("" if value is None else str(value))


def _from_csv_cell(text: str | None) -> str | None:
    return text[1:] if text and text.startswith("'") else text


def export_text(db: Database, fmt: str = "json") -> str:
    """All records as CSV or JSON text."""
    if fmt not in FORMATS:
        raise ValidationError("format", f"must be one of {', '.join(FORMATS)}, not {fmt!r}")
    rows = export_records(db)
    if fmt == "json":
        return json.dumps({"format": "sharppower-evidence", "version": 1, "records": rows},
                          indent=2, ensure_ascii=False) + "\n"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_cell(row.get(k)) for k in EXPORT_COLUMNS})
    return buf.getvalue()


def _decode(path: Path) -> str:
    """The file's text exactly (line endings kept); not UTF-8 -> InputError."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not UTF-8 text (byte {exc.start}: {exc.reason}); "
                         "save it as UTF-8") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot be read: {exc.strerror or exc}") from None


def _read_csv(text: str, where: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = []
    try:
        with field_limit():
            for row in reader:
                if None in row:  # more fields than the header names
                    raise InputError(where, f"{len(row[None])} more field(s) than the header "
                                     f"has columns ({len(reader.fieldnames or [])})",
                                     row=reader.line_num, field="(extra fields)")
                rows.append({k: _from_csv_cell(v) for k, v in row.items()})
    except csv.Error as exc:
        message = (f"a field is longer than {FIELD_LIMIT:,} characters"
                   if "field limit" in str(exc) else f"malformed CSV: {exc}")
        raise InputError(where, message, row=reader.line_num) from None
    return rows


def read_file(path: Path) -> tuple[list[dict[str, Any]], int]:
    """Raw records of a CSV/JSON/YAML file and the file row (or item number) of the first."""
    text = _decode(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(text, str(path)), 2
    try:
        data = json.loads(text) if suffix == ".json" else safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputError(str(path), f"cannot be read: {exc}") from None
    except RecursionError:
        raise InputError(str(path), "nested too deeply to be a record file") from None
    if isinstance(data, dict) and "records" not in data and "title" in data:
        data = [data]
    items = data.get("records") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InputError(str(path), "expected a list of records or a mapping with 'records'")
    return items, 1


def _meta(raw: dict[str, Any], where: str, row: int) -> dict[str, Any]:
    meta = {k: (None if raw.get(k) in ("", None) else raw.get(k)) for k in META}
    codings = meta["codings"]
    if isinstance(codings, str):
        try:
            codings = json.loads(codings)
        except json.JSONDecodeError:
            raise InputError(where, "codings is not JSON", row=row, field="codings") from None
    if codings is not None and not isinstance(codings, dict):
        raise InputError(where, "codings must map coder -> list of codes", row=row, field="codings")
    try:
        meta["codings"] = {str(k): [str(c) for c in as_list(v, "codings")]
                           for k, v in codings.items()} if codings else None
        reviewer = meta["reviewed_by"]
        if reviewer is not None and not isinstance(reviewer, str):
            raise ValidationError("reviewed_by", "expected a name (text)")
        meta["reviewed_by"] = limited(reviewer, "reviewed_by", "coder")
    except ValidationError as exc:
        raise InputError(where, exc.detail, row=row, field=exc.field) from None
    for k in ("created_at", "updated_at", "reviewed_at"):
        try:
            meta[k] = store.as_utc(meta[k])
        except (TypeError, ValueError):
            raise InputError(where, f"not an ISO timestamp: {meta[k]!r}", row=row, field=k) from None
    return meta


def check_names(raw: dict[str, Any], where: str, row: int) -> None:
    """Every key of an imported record is a field the import knows (names are exact:
    `Title` or `STATUS` are not `title` or `status`)."""
    unknown = [str(k) for k in raw if str(k) not in IMPORT_NAMES]
    if unknown:
        raise InputError(where, "unknown field(s); names are those of `evidence export` "
                         "(lower case)", row=row, field=", ".join(unknown))


def parse_records(items: list[dict[str, Any]], where: str, first_row: int, cb: Codebook,
                  coder: str | None = None) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(record, meta) for every item; an InputError names the first bad row and field."""
    out = []
    for i, raw in enumerate(items):
        row = i + first_row
        if not isinstance(raw, dict):
            raise InputError(where, "a record must be a mapping", row=row)
        raw = dict(raw)
        check_names(raw, where, row)
        if coder and not raw.get("coder"):
            raw["coder"] = coder
        try:
            rec = normalise(raw, cb)
        except ValidationError as exc:
            raise InputError(where, exc.detail, row=row, field=exc.field) from None
        meta = _meta(raw, where, row)
        if rec["status"] != "proposed":
            rules.check_imported_review(rec, meta, where, row)
        out.append((rec, meta))
    ids = [r["id"] for r, _ in out]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise InputError(where, f"duplicate ids: {', '.join(dupes)}", field="id")
    return out


def import_file(db: Database, path: str | Path, coder: str | None = None,
                codebook: Codebook | None = None,
                audit: rules.Audit | None = None) -> dict[str, int]:
    """Import records from a file in one transaction; returns counts inserted/updated/unchanged.

    `coder` fills a missing coder and names who made the changes to existing records.
    `audit(conn, id)` (optional) writes the audit row in the same transaction."""
    path = Path(path)
    cb = codebook or default_codebook()
    items, first = read_file(path)
    parsed = parse_records(items, str(path), first, cb, coder)
    layers = evidence_indicators(cb)
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    by = coder or f"import:{path.name}"
    with write_transaction(db) as conn:
        known = set(disarm.known_techniques(conn))
        for i, (rec, _) in enumerate(parsed):  # DISARM ids need the framework in the store
            unknown = [t for t in rec["techniques"] if t not in known]
            if unknown:
                raise InputError(str(path), f"DISARM technique(s) {', '.join(unknown)} not in the "
                                 "loaded framework" + ("" if known else f"; {disarm.NOT_LOADED}"),
                                 row=i + first, field="techniques")
        for i, (rec, meta) in enumerate(parsed):
            store.lock_record(conn, rec["id"])
            counts[rules.import_one(conn, rec, meta, layers, by, str(path), i + first)] += 1
        if audit:
            audit(conn, None)
    return counts
