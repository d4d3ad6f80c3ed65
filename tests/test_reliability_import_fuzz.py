"""Issue 24 finding 7: a bounded property-based fuzz (hypothesis) of every import format
(CSV, JSON, STIX), on both backends. Each generated file either imports or is refused with
an InputError/ValidationError naming a field (or a row); never another exception, and the
ledger never holds an accepted record without a reviewer other than its coder (records as
their source's declared policy stores them aside)."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharppower.errors import InputError, ValidationError
from sharppower.measures import evidence as ev
from sharppower.measures.evidence.records import FIELDS
from sharppower.measures.evidence.rules import by_declared_policy
from sharppower.measures.evidence.stix import EXTENSION_ID, import_stix

FUZZ = settings(max_examples=30, deadline=5000, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
BASE = {"id": "fz-1", "title": "Fuzzed", "actors": ["RUS"], "target": "LVA",
        "start_date": "2021-02", "sources": [{"url": "https://example.org/f"}],
        "indicators": ["sp_info_manipulation"], "coder": "alice"}
NAMES = [*FIELDS, "created_at", "updated_at", "reviewed_by", "reviewed_at", "codings",
         "Title", "STATUS", "source_url"]
text = st.text(st.characters(codec="utf-8"), max_size=12)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=True, allow_infinity=True), text,
                    st.sampled_from(["accepted", "rejected", "proposed", "alice", "rita",
                                     "starter", "source:asd", "asd-interference-tracker",
                                     "2020", "2021-13-01", "\x00", "=1+1", "ongoing", "[1, 2]"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(text, inner, max_size=3)), max_leaves=6)
changes = st.dictionaries(st.sampled_from(NAMES), values, max_size=4)


def invariant(db) -> None:
    for rec in ev.export_records(db):
        if rec["status"] == "accepted" and not by_declared_policy(rec):
            assert rec["reviewed_by"] and rec["reviewed_by"] != rec["coder"], rec


def attempt(db, run) -> None:
    try:
        run()
    except (InputError, ValidationError) as exc:
        assert exc.field is not None or getattr(exc, "row", None) is not None, exc
    invariant(db)


def cell(value) -> str:
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return "" if value is None else str(value)


@FUZZ
@given(rows=st.lists(changes, min_size=1, max_size=3))
def test_fuzzed_json_imports_never_traceback(db, tmp_path, rows):
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps([BASE | row for row in rows], default=str), "utf-8")
    attempt(db, lambda: ev.import_file(db, path, coder="fuzzer"))


@FUZZ
@given(rows=st.lists(changes, min_size=1, max_size=3), extra=st.booleans())
def test_fuzzed_csv_imports_never_traceback(db, tmp_path, rows, extra):
    records = [BASE | row for row in rows]
    columns = list(dict.fromkeys(k for r in records for k in r))
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(columns)
    for rec in records:
        writer.writerow([cell(rec.get(c)) for c in columns] + (["surplus"] if extra else []))
    path = tmp_path / "fuzz.csv"
    path.write_text(buf.getvalue(), "utf-8")
    attempt(db, lambda: ev.import_file(db, path, coder="fuzzer"))


INCIDENT_PROPS = ["id", "name", "description", "labels", "external_references", "created",
                  "modified", "first_seen", "confidence", "spec_version", "extensions"]
EXT_PROPS = ["actors", "target", "start_date", "end_date", "ongoing", "categories",
             "indicators", "techniques", "origin", "origin_key", "withdrawn_from_source"]


@FUZZ
@given(props=st.dictionaries(st.sampled_from(INCIDENT_PROPS), values, max_size=3),
       ext=st.dictionaries(st.sampled_from(EXT_PROPS), values, max_size=3),
       own=st.booleans())
def test_fuzzed_stix_imports_never_traceback(db, tmp_path, props, ext, own):
    incident = {"type": "incident", "spec_version": "2.1",
                "id": "incident--8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0db4", "name": "Fuzzed",
                "created": "2023-05-02T00:00:00.000Z", "modified": "2023-05-02T00:00:00.000Z",
                "external_references": [{"source_name": "sharppower", "external_id": "fz-s"},
                                        {"source_name": "x", "url": "https://example.org/a"}]}
    if own:
        incident["extensions"] = {EXTENSION_ID: {"extension_type": "property-extension",
                                                 "actors": ["RUS"], "target": "LVA",
                                                 "start_date": "2023-05-02", "origin": "stix"}
                                  | ext}
    incident |= props
    path = tmp_path / "fuzz.stix.json"
    path.write_text(json.dumps({"type": "bundle", "id": "bundle--f", "objects": [incident]},
                               default=str), "utf-8")
    attempt(db, lambda: import_stix(db, path, coder="fuzzer"))
