"""Evidence connectors: the ASD tracker and the coercion cases (synthetic fixtures and the
mirror), the declared mappings, idempotent re-import with history and withdrawal, and the
starter evidence. Both backends."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sharppower.build import load_snapshot
from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.errors import InputError
from sharppower.measures import evidence as ev
from sharppower.measures.evidence.mapping import mapping_text
from sharppower.settings import Settings
from sharppower.sources.load import LoadContext
from sharppower.sources.registry import SOURCES
from sharppower.sources.snapshot import pull

FIXTURES = Path(__file__).parent / "fixtures" / "evidence"
ASD = "asd-interference-tracker"
COERCION = "coercion-cases"
ASD_FILE = "asd_interference_tracker/incidents.json"
COERCION_FILE = "coercion_cases/coercion_cases_governments.csv"


def small_mirror(tmp_path: Path) -> Path:
    root = tmp_path / "mirror"
    for src, dest in (("asd_small.json", ASD_FILE), ("coercion_small.csv", COERCION_FILE)):
        (root / dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURES / src, root / dest)
    return root


def settings_for(tmp_path: Path, mirror: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url="sqlite://", mirror=mirror)


def load(conf, db, name, update=False):
    snap, _ = pull(conf, SOURCES[name], update=update)
    ctx = LoadContext(db, load_codebook(), resolver(), force=True)
    return load_snapshot(ctx, SOURCES[name], snap)


def stamps(db):
    df = db.read("SELECT id, updated_at FROM evidence ORDER BY id")
    return dict(zip(df["id"], df["updated_at"].astype(str)))


def test_asd_fixture_is_imported_with_mapping_dates_and_links(db, tmp_path):
    conf = settings_for(tmp_path, small_mirror(tmp_path))
    result = load(conf, db, ASD)
    assert result.rows == 5 and result.countries == 2
    assert any("9004" in w and "before start" in w for w in result.warnings)
    df = ev.list_evidence(db).set_index("id")
    assert list(df.loc["asd-9001", "indicators"]) == ["sp_info_manipulation", "sp_cyber_operations"]
    assert list(df.loc["asd-9001", "categories"]) == ["Information Manipulation", "Cyber Operations"]
    assert df.loc["asd-9001", "ongoing"] and df.loc["asd-9001", "start_precision"] == "year"
    assert df.loc["asd-9002", ["start_precision", "end_precision"]].tolist() == ["month", "month"]
    assert df.loc["asd-9003", ["start_date", "start_precision", "ongoing"]].tolist() == [
        "2019-06-10", "day", False]
    assert pd.isna(df.loc["asd-9003", "end_date"])  # no end, not ongoing: one date
    assert df.loc["asd-9004", ["start_date", "end_date"]].tolist() == ["2012-05-05", "2012-05-05"]
    assert df.loc["asd-9005", "target"] == "XKX"
    assert df.loc["asd-9003", "actors"] == ["CHN"]
    assert set(df["status"]) == {"accepted"} and set(df["coder"]) == {"source:asd"}
    assert set(df["confidence"]) == {"high"}
    assert df.loc["asd-9002", "link"] == "https://example.org/incident/9002/"
    hostile = ev.get_evidence(db, "asd-9005")
    assert "<script>" in hostile["narrative"]  # stored as given
    for bad in ("<script", "onerror", "onclick", "alert("):
        assert bad not in hostile["narrative_html"] and bad not in hostile["narrative_text"]
    src = db.read("SELECT name, citation, sha256 FROM sources WHERE name = :n", {"n": ASD})
    assert "Alliance for Securing Democracy" in src["citation"][0] and src["sha256"][0]


def test_asd_coverage_is_declared_for_listed_countries(db, tmp_path):
    conf = settings_for(tmp_path, small_mirror(tmp_path))
    load(conf, db, ASD)
    cover = ev.coverage_table(db)
    assert set(cover["target"]) == {"EST", "XKX"} and set(cover["actor"]) == {"CHN", "RUS"}
    assert set(cover["indicator"]) == {"sp_info_manipulation", "sp_civil_society_subversion",
                                       "sp_cyber_operations", "sp_economic_coercion",
                                       "sp_malign_finance", "sp_kinetic_operations"}
    assert set(cover["first_year"]) == {2000} and set(cover["last_year"]) == {2019}
    assert set(cover["last_date"]) == {"2019-06-10"}  # the latest start date in the file


def test_reimport_is_idempotent_updates_with_history_and_marks_withdrawn(db, tmp_path):
    mirror = small_mirror(tmp_path)
    conf = settings_for(tmp_path, mirror)
    load(conf, db, ASD)
    before, history_rows = stamps(db), db.scalar("SELECT COUNT(*) FROM evidence_history")
    load(conf, db, ASD)  # same file, forced reload
    assert stamps(db) == before
    assert db.scalar("SELECT COUNT(*) FROM evidence_history") == history_rows

    # an analyst edits a field the source does not change; the source changes a title,
    # drops an incident and re-tools another
    ev.update_evidence(db, "asd-9002", {"confidence": "medium"}, coder="carol")
    ev.review(db, "asd-9003", "reject", "dana")
    data = json.loads((mirror / ASD_FILE).read_text())
    incidents = data["features"][0]["properties"]["incidents"]
    incidents[0]["title"] = "State media network spreads disinformation (updated)"
    incidents[2]["tools"] = [{"name": "Malign Finance"}]
    del incidents[1]
    (mirror / ASD_FILE).write_text(json.dumps(data))
    before = stamps(db)
    result = load(conf, db, ASD, update=True)
    after = stamps(db)
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"asd-9001", "asd-9002", "asd-9003"}
    assert any("withdrawn" in w for w in result.warnings)
    assert db.scalar("SELECT COUNT(*) FROM evidence") == 5  # nothing deleted
    gone = ev.get_evidence(db, "asd-9002")
    assert gone["withdrawn_from_source"] is True and gone["confidence"] == "medium"
    assert gone["history"][-1]["action"] == "withdraw"
    upd = ev.get_evidence(db, "asd-9001")
    last = upd["history"][-1]
    assert (last["field"], last["changed_by"], last["action"]) == ("title", "source:asd", "import")
    assert last["old_value"] == "State media network spreads disinformation"
    recoded = ev.get_evidence(db, "asd-9003")
    assert recoded["indicators"] == ["sp_malign_finance"]
    assert recoded["codings"]["source:asd"] == ["sp_malign_finance"]
    assert recoded["status"] == "rejected"  # a reviewer's decision survives re-import
    assert len(ev.list_evidence(db, withdrawn=False)) == 4

    # the incident comes back: restored, with history
    data["features"][0]["properties"]["incidents"].insert(1, json.loads(
        (FIXTURES / "asd_small.json").read_text())["features"][0]["properties"]["incidents"][1])
    (mirror / ASD_FILE).write_text(json.dumps(data))
    load(conf, db, ASD, update=True)
    back = ev.get_evidence(db, "asd-9002")
    assert back["withdrawn_from_source"] is False
    assert back["confidence"] == "medium"  # the analyst's edit survives re-import


def test_asd_errors_name_file_row_and_field_and_store_nothing(db, tmp_path):
    mirror = small_mirror(tmp_path)
    data = json.loads((mirror / ASD_FILE).read_text())
    data["features"][1]["properties"]["incidents"][0]["tools"] = [{"name": "Weather Control"}]
    (mirror / ASD_FILE).write_text(json.dumps(data))
    with pytest.raises(InputError) as err:
        load(settings_for(tmp_path, mirror), db, ASD)
    assert err.value.field == "tools" and "9005" in str(err.value.row)
    assert "Weather Control" in str(err.value)
    assert db.scalar("SELECT COUNT(*) FROM evidence") == 0
    data["features"][1]["properties"]["country"] = "Narnia"
    (mirror / ASD_FILE).write_text(json.dumps(data))
    with pytest.raises(InputError) as err:
        load(settings_for(tmp_path / "b", mirror), db, ASD)
    assert err.value.field == "properties.country" and "Narnia" in str(err.value)


def test_coercion_fixture(db, tmp_path):
    conf = settings_for(tmp_path, small_mirror(tmp_path))
    result = load(conf, db, COERCION)
    assert any("European Union" in w and "row 4" in w for w in result.warnings)
    df = ev.list_evidence(db).set_index("id")
    assert sorted(df.index) == ["coercion-AUS-2018-trade-restrictions-1",
                                "coercion-AUS-2018-trade-restrictions-2",
                                "coercion-AUS-2020-arbitrary-detention-execution-1",
                                "coercion-PHL-2012-tourism-restrictions-1"]
    rec = ev.get_evidence(db, "coercion-PHL-2012-tourism-restrictions-1")
    assert rec["actors"] == ["CHN"] and rec["indicators"] == ["sp_economic_coercion"]
    assert (rec["start_date"], rec["end_date"], rec["start_precision"]) == (
        "2012-01-01", "2012-12-31", "year")
    assert rec["confidence"] == "medium" and rec["status"] == "accepted"
    assert "Provenance uncertain" in rec["notes"]
    [cited] = rec["sources"]  # cited by its publisher, linked to the copy it was read from
    assert cited["publisher"].startswith("Australian Strategic Policy Institute (ASPI")
    assert "ryanammons" not in cited["publisher"] and "ryanammons" in cited["url"]
    citation = pd.Series(db.read("SELECT citation FROM sources WHERE name = :n", {"n": COERCION})
                         ["citation"]).iloc[0]
    assert "not verified" in citation
    cover = ev.coverage_table(db)
    assert set(cover["target"]) == {"AUS", "PHL"}
    assert set(cover["indicator"]) == {"sp_economic_coercion"}
    assert (set(cover["first_year"]), set(cover["last_year"])) == ({2010}, {2020})


def test_declared_asd_mapping_is_the_issue_mapping():
    mapping = yaml.safe_load(mapping_text("asd"))
    assert mapping["tools"] == {
        "Information Manipulation": ["sp_info_manipulation"],
        "Civil Society Subversion": ["sp_civil_society_subversion"],
        "Cyber Operations": ["sp_cyber_operations"],
        "Economic Coercion": ["sp_economic_coercion"],
        "Malign Finance": ["sp_malign_finance"],
        "Kinetic Operations": ["sp_kinetic_operations"],
    }
    cb = load_codebook()
    for codes in mapping["tools"].values():
        assert cb.indicator(codes[0])["source"] == "evidence"


# --- the mirror ----------------------------------------------------------------------

def raw_incidents(mirror: Path) -> list[tuple[str, dict]]:
    data = json.loads((mirror / ASD_FILE).read_text("utf-8"))
    return [(f["properties"]["country"], inc) for f in data["features"]
            for inc in f["properties"]["incidents"]]


def test_mirror_asd_every_incident_and_tool_is_in_the_ledger(db, mirror, tmp_path):
    conf = settings_for(tmp_path, mirror)
    load(conf, db, ASD)
    raw = raw_incidents(mirror)
    df = ev.list_evidence(db, origin=ASD)
    assert len(df) == len(raw) == 593
    by_id = df.set_index("id")
    mapping = yaml.safe_load(mapping_text("asd"))["tools"]
    tool_counts, code_counts = Counter(), Counter()
    for country, inc in raw:
        rec = by_id.loc[f"asd-{inc['post_id']}"]
        assert rec["link"] == inc["link"] and rec["title"] == inc["title"].strip()
        assert rec["target"] == resolver().resolve(country)
        assert rec["categories"] == [t["name"] for t in inc["tools"]]
        tool_counts.update(t["name"] for t in inc["tools"])
        code_counts.update(rec["indicators"])
    assert {mapping[t][0]: n for t, n in tool_counts.items()} == dict(code_counts)
    assert set(by_id["start_date"].str[:4].astype(int)).issubset(range(2000, 2026))


def test_mirror_coercion_cases(db, mirror, tmp_path):
    result = load(settings_for(tmp_path, mirror), db, COERCION)
    raw = pd.read_csv(mirror / COERCION_FILE)
    assert result.rows == len(raw) - (raw["Country"] == "European Union").sum() == 99
    df = ev.list_evidence(db, origin=COERCION)
    expected = raw[raw["Country"] != "European Union"]["Country"].replace(
        {"Phillippines": "Philippines"}).map(resolver().resolve).value_counts()
    assert df["target"].value_counts().sort_index().to_dict() == expected.sort_index().to_dict()
    assert df["target"].value_counts()["AUS"] == 17 and "PHL" in set(df["target"])


def test_demo_without_mirror_has_the_starter_evidence(demo_db):
    df = ev.list_evidence(demo_db)
    assert len(df) == 4 and set(df["origin"]) == {"starter-evidence"}
    assert set(df["status"]) == {"accepted"} and set(df["coder"]) == {"starter"}
    starter = yaml.safe_load((Path(ev.__file__).parents[2] / "starter" / "evidence.yaml").read_text())
    assert sorted(df["id"]) == sorted(r["id"] for r in starter["records"])
    aus = ev.get_evidence(demo_db, "starter-aus-integrated-networks")
    assert aus["ongoing"] and aus["link"].startswith("https://www.journalofdemocracy.org/")


def test_build_twice_leaves_starter_evidence_untouched(db, conf):
    from sharppower.build import build

    offline = replace(conf, mirror=None)
    build(offline, db)
    before = stamps(db)
    results = build(offline, db)
    assert stamps(db) == before
    assert {r.source: r.status for r in results}["evidence"] == "unchanged"


def test_records_restored_from_an_export_are_untouched_by_the_next_import(db, backend, tmp_path):
    from conftest import new_database

    conf = settings_for(tmp_path, small_mirror(tmp_path))
    load(conf, db, ASD)
    path = tmp_path / "export.json"
    path.write_text(ev.export_text(db, "json"), "utf-8")
    other, cleanup = new_database(backend, tmp_path / "other")
    try:
        ev.import_file(other, path)
        before = (stamps(other), other.scalar("SELECT COUNT(*) FROM evidence_history"))
        load(conf, other, ASD)
        assert (stamps(other), other.scalar("SELECT COUNT(*) FROM evidence_history")) == before
        assert ev.export_text(other, "json") == ev.export_text(db, "json")
    finally:
        cleanup()


def test_a_changed_mapping_recodes_the_source_at_the_next_build(db, tmp_path, monkeypatch):
    from sharppower.measures.evidence import build as ev_build
    from sharppower.measures.evidence import mapping as ev_mapping
    from sharppower.pipeline import BuildContext, run_steps

    conf = settings_for(tmp_path, small_mirror(tmp_path))
    ctx = BuildContext(conf, db, load_codebook(), resolver())
    steps = [ASD, "starter-evidence", "evidence"]
    first = run_steps(ctx, names=steps)
    assert {r.source: r.status for r in first}[ASD] == "loaded"
    assert ev.get_evidence(db, "asd-9004")["indicators"] == ["sp_cyber_operations"]
    again = run_steps(ctx, names=steps)  # nothing changed: no re-import
    assert {r.status for r in again} == {"unchanged"}
    assert len(ev.get_evidence(db, "asd-9004")["history"]) == 1

    original = ev_mapping.mapping_text
    def edited(name):
        text = original(name)
        if name == "asd":
            text = text.replace("Cyber Operations: [sp_cyber_operations]",
                                "Cyber Operations: [sp_digital_authoritarianism]")
        return text
    monkeypatch.setattr(ev_mapping, "mapping_text", edited)
    monkeypatch.setattr(ev_build, "mapping_text", edited)
    results = run_steps(ctx, names=steps)
    assert {r.source: r.status for r in results}[ASD] == "loaded"
    rec = ev.get_evidence(db, "asd-9004")
    assert rec["indicators"] == ["sp_digital_authoritarianism"]
    assert rec["history"][-1]["field"] == "indicators"
    # ASD's declared coverage follows its mapping: the new code is covered, the old is not
    covered = set(ev.coverage_table(db)["indicator"])
    assert "sp_digital_authoritarianism" in covered and "sp_cyber_operations" not in covered
    values = ev.indicator_values(db)
    cell = values[(values["indicator"] == "sp_digital_authoritarianism")
                  & (values["target"] == "EST") & (values["actor"] == "RUS")
                  & (values["year"] == 2012)]
    assert cell["evidence_ids"].iloc[0] == ["asd-9004"]
