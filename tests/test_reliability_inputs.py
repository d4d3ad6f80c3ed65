"""Issue 12, findings 3, 6, 9 and 10 with bad input files written here: values validated
from the codebook, errors (not tracebacks) naming file, row and field, lossless CSV round
trip with formula escaping, case-insensitive topline cells, imports that cannot
self-accept, one build at a time."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from sharppower.codebook import load_codebook
from sharppower.errors import InputError
from sharppower.measures import evidence as ev
from sharppower.measures.opinion.topline_csv import import_toplines, read_toplines
from sharppower.sources.load import observations_from_frame
from sharppower.sources.readers import numbers, read_csv
from sharppower.store.locking import BuildBusy, build_lock

CB = load_codebook()
RECORD = {"id": "ev-x", "title": "Deal", "actors": ["CHN"], "target": "SWE",
          "start_date": "2021", "sources": ["https://example.org/r"],
          "narrative": "line one\r\nline two\r\n", "indicators": ["sp_media_capture"]}
TOPLINE_HEADER = "actor,public,year,question,response,percent,n,source_url\n"
URL = "https://www.pewresearch.org/x"


def frame(source_row: str, **values) -> pd.DataFrame:
    return pd.DataFrame([{"target": "SWE", "year": 2020, "source_file": "f.xlsx",
                          "source_row": source_row, **values}])


@pytest.mark.parametrize("source, variables, field, words", [
    ("wgi", {"wgi_cc": float("inf")}, "wgi_cc", "not a finite number"),
    ("freedom-house", {"Total": -5000.0}, "Total", ("outside the range of res_fh_total in the "
                                                    "codebook (-4 to 100)")),
    ("aiddata-gcdf", {"total_adj": -1e15, "total_adj_3yr": 1.0}, "total_adj", "outside"),
])
def test_impossible_values_are_refused_naming_file_row_field_and_range(source, variables,
                                                                        field, words):
    wanted = CB.for_source(source)["variable"].dropna()
    values = {v: 1.0 for v in wanted} | variables
    with pytest.raises(InputError) as err:
        observations_from_frame(frame("row 7", **values), CB, source)
    e = err.value
    assert (e.file, e.row, e.field) == ("f.xlsx", "row 7", field) and words in str(e)


def test_an_implausible_year_is_refused():
    values = {v: 1.0 for v in CB.for_source("aiddata-gcdf")["variable"].dropna()}
    bad = frame("row 3", **values).assign(year=99999)
    with pytest.raises(InputError) as err:
        observations_from_frame(bad, CB, "aiddata-gcdf")
    assert err.value.field == "year" and "1789 to 2100" in str(err.value)


@pytest.mark.parametrize("cell", ["inf", "-inf", "1e999"])
def test_published_infinities_are_not_numbers(cell):
    df = pd.DataFrame({"v": ["1.5", cell], "_row": [2, 3]})
    with pytest.raises(InputError) as err:
        numbers(df, ["v"], "wgi.csv")
    assert (err.value.row, err.value.field) == (3, "v") and "finite" in str(err.value)


def test_a_csv_field_over_the_limit_names_its_row(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("a,b\n1,2\n3," + "x" * 140_000 + "\n")
    with pytest.raises(InputError) as err:
        read_csv(path, "wide.csv")
    assert err.value.row == 3 and "longer than" in str(err.value)


@pytest.mark.parametrize("name, data", [
    ("bad.csv", b"id,title\nev-1,caf\xe9\n"), ("bad.json", b'{"records": [{"title": "\xff"}]}'),
    ("wide.csv", b"id,title\nev-1," + b"x" * 140_000 + b"\n"),
])
def test_bad_evidence_files_are_errors_and_store_nothing(db, tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as err:
        ev.import_file(db, path)
    assert name in str(err.value)
    assert db.scalar("SELECT COUNT(*) FROM evidence") == 0


def test_a_corrupt_rds_is_an_input_error(tmp_path):
    from sharppower.sources.connectors.pew import read_rds

    path = tmp_path / "pew_all_opi.RDS"
    path.write_bytes(b"\x1f\x8b\x08\x00" + b"cut off" * 20)
    with pytest.raises(InputError) as err:
        read_rds(path)
    assert "pew_all_opi.RDS" in str(err.value)


def test_csv_round_trip_keeps_line_endings_and_escapes_formulas(db, tmp_path):
    ev.add_evidence(db, {**RECORD, "title": '=HYPERLINK("http://evil","x")',
                         "notes": "-1+1", "categories": ["@cmd"]}, coder="ana")
    text = ev.export_text(db, "csv")
    row = next(iter(pd.read_csv(pd.io.common.StringIO(text), dtype=str).to_dict("records")))
    assert row["title"].startswith("'=") and row["notes"].startswith("'-")
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("utf-8"))
    history = db.scalar("SELECT COUNT(*) FROM evidence_history")
    assert ev.import_file(db, path) == {"inserted": 0, "updated": 0, "unchanged": 1}
    assert db.scalar("SELECT COUNT(*) FROM evidence_history") == history
    rec = ev.get_evidence(db, "ev-x")
    assert rec["narrative"] == RECORD["narrative"] and rec["title"].startswith("=HYPERLINK")


@pytest.mark.parametrize("status, reviewer", [("accepted", "mallory"), ("accepted", ""),
                                              ("rejected", "mallory")])
def test_an_import_cannot_create_a_self_reviewed_record(db, tmp_path, status, reviewer):
    path = tmp_path / "self.json"
    path.write_text(json.dumps([{**RECORD, "status": status, "coder": "mallory",
                                 "reviewed_by": reviewer}]))
    with pytest.raises(InputError) as err:
        ev.import_file(db, path)
    assert err.value.field == "reviewed_by" and err.value.row == 1
    assert db.scalar("SELECT COUNT(*) FROM evidence") == 0
    path.write_text(json.dumps([{**RECORD, "status": status, "coder": "mallory",
                                 "reviewed_by": "rita"}]))
    ev.import_file(db, path)
    assert ev.get_evidence(db, "ev-x")["reviewed_by"] == "rita"


def test_topline_cells_differing_in_letter_case_are_one(db, tmp_path):
    path = tmp_path / "toplines.csv"
    q = "China's influence in the world"
    path.write_text(TOPLINE_HEADER + f'CHN,Sweden,2022,"{q}",getting stronger,60,1000,{URL}\n'
                    f'CHN,Sweden,2022,"{q.upper()}",Getting Stronger,61,1000,{URL}\n')
    with pytest.raises(InputError) as err:
        read_toplines(path)
    assert err.value.row == 3 and "letter case" in str(err.value)
    path.write_text(TOPLINE_HEADER + f'CHN,Sweden,2022,"{q}",getting stronger,60,1000,{URL}\n')
    import_toplines(db, path)
    path.write_text(TOPLINE_HEADER + f'CHN,Sweden,2022,"{q}",Getting Stronger,62,1000,{URL}\n')
    import_toplines(db, path)
    stored = db.read("SELECT percent FROM opinion_toplines")
    assert list(stored["percent"]) == [62.0]


def test_a_topline_row_with_extra_fields_is_blamed_on_that_row(tmp_path):
    path = tmp_path / "toplines.csv"
    path.write_text(TOPLINE_HEADER + f"CHN,Sweden,2022,q,r,60,1000,{URL},extra\n")
    with pytest.raises(InputError) as err:
        read_toplines(path)
    assert err.value.row == 2 and "9 fields" in str(err.value) and "actor" not in str(err.value)


def test_error_text_is_never_read_as_markup(tmp_path):
    from sharppower.cli import app

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(app, ["evidence", "show", "[/x]no[bold]", "--db", url])
    assert result.exit_code == 1 and "MarkupError" not in result.output
    assert "[/x]no[bold]" in result.output


def test_a_second_build_of_one_store_gets_a_clear_message(db):
    with build_lock(db), pytest.raises(BuildBusy) as err, build_lock(db, wait=0.3):
        pass
    assert "another build is running" in str(err.value)
    with build_lock(db, wait=0.3):  # released
        pass


def test_pull_update_validates_the_new_snapshot_before_it_replaces_the_old(tmp_path):
    from sharppower.settings import Settings
    from sharppower.sources.base import Source, SourceFile
    from sharppower.sources.snapshot import open_snapshot, pull

    variables = list(CB.for_source("wgi")["variable"].dropna())

    def parse(snapshot, _resolver):
        df = numbers(read_csv(snapshot.path("wgi.csv"), "wgi.csv"), variables, "wgi.csv")
        return df.assign(target="SWE", year=2019, source_file="wgi.csv",
                         source_row=df["_row"].astype(str))

    source = Source("wgi", "WGI", "World Bank", "https://example.org", "CC-BY-4.0", "cite",
                    (SourceFile("wgi.csv", "https://example.org/wgi.csv", "wgi.csv"),), parse)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    conf = Settings(data_dir=tmp_path / "data", database_url="sqlite://", mirror=mirror)
    (mirror / "wgi.csv").write_text(",".join(variables) + "\n" + ",".join(["0.5"] * 6) + "\n")
    good = pull(conf, source)[0].files["wgi.csv"]["sha256"]
    (mirror / "wgi.csv").write_text(",".join(variables) + "\n" + ",".join(["9.5"] * 6) + "\n")
    with pytest.raises(InputError) as err:
        pull(conf, source, update=True)
    assert err.value.row == "2" and "outside the range" in str(err.value)
    assert open_snapshot(conf, source).files["wgi.csv"]["sha256"] == good


def test_the_field_limit_holds_whatever_another_library_set(tmp_path):
    """frictionless raises csv.field_size_limit process-wide; our readers keep theirs."""
    import csv
    import sys

    old = csv.field_size_limit(sys.maxsize)
    try:
        path = tmp_path / "wide.csv"
        path.write_text("a,b\n1,2\n3," + "x" * 140_000 + "\n")
        with pytest.raises(InputError) as err:
            read_csv(path, "wide.csv")
        assert err.value.row == 3 and csv.field_size_limit() == sys.maxsize
    finally:
        csv.field_size_limit(old)
