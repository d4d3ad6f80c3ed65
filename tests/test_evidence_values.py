"""From evidence to indicator values: windows, ongoing incidents, coverage (missing is not
zero), review status, and the observations written with their evidence ids. Both backends."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.measures import evidence as ev
from sharppower.measures.evidence.build import write_values
from sharppower.pipeline import BuildContext, load_snapshot, run_steps
from sharppower.pipeline.reference import reference_step
from sharppower.settings import Settings
from sharppower.sources.load import LoadContext
from sharppower.sources.registry import SOURCES
from sharppower.sources.snapshot import pull

FIXTURES = Path(__file__).parent / "fixtures" / "evidence"
ASD = "asd-interference-tracker"
ASD_FILE = "asd_interference_tracker/incidents.json"


def load_small_asd(db, tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / ASD_FILE).parent.mkdir(parents=True)
    shutil.copyfile(FIXTURES / "asd_small.json", mirror / ASD_FILE)
    conf = Settings(data_dir=tmp_path / "data", database_url="sqlite://", mirror=mirror)
    snap, _ = pull(conf, SOURCES[ASD])
    load_snapshot(LoadContext(db, load_codebook(), resolver()), SOURCES[ASD], snap)


def table(values, actor, target, code):
    rows = values[(values["actor"] == actor) & (values["target"] == target)
                  & (values["indicator"] == code)]
    return {int(r.year): (int(r.value), list(r.evidence_ids), list(r.flags))
            for r in rows.itertuples()}


def series(values, actor, target, code):
    return {y: v for y, (v, _, _) in table(values, actor, target, code).items()}


def test_rolling_window_ongoing_and_coverage(db, tmp_path):
    load_small_asd(db, tmp_path)
    values = ev.indicator_values(db)
    years = range(2000, 2020)
    # ongoing from 2015: counts in every year up to the coverage end (2019)
    assert series(values, "RUS", "EST", "sp_info_manipulation") == {
        y: int(y >= 2015) for y in years}
    # March-May 2017: counts in 2017 and the two following years' windows
    assert series(values, "RUS", "EST", "sp_malign_finance") == {
        y: int(2017 <= y <= 2019) for y in years}
    # one-day incident 2012 (dates corrected) and the ongoing one from 2015
    cyber = table(values, "RUS", "EST", "sp_cyber_operations")
    assert {y: v for y, (v, _, _) in cyber.items()} == {
        y: int(2012 <= y <= 2014 or y >= 2015) for y in years}
    assert cyber[2014][1] == ["asd-9004"] and cyber[2015][1] == ["asd-9001"]
    # Kosovo 2016 (year precision): 2016-2018
    assert series(values, "RUS", "XKX", "sp_kinetic_operations") == {
        y: int(2016 <= y <= 2018) for y in years}
    # covered and nothing found: zero, not missing
    assert series(values, "CHN", "XKX", "sp_info_manipulation") == {y: 0 for y in years}
    # not covered: missing (no row), never zero
    assert table(values, "RUS", "LVA", "sp_info_manipulation") == {}
    assert table(values, "RUS", "EST", "sp_media_capture") == {}  # no source covers it
    assert set(values["year"]) == set(years)


def test_flags_mark_partial_windows_and_the_partial_last_year(db, tmp_path):
    load_small_asd(db, tmp_path)
    coercion = table(ev.indicator_values(db), "CHN", "EST", "sp_economic_coercion")
    assert coercion[2019] == (1, ["asd-9003"], ["partial_year"])  # coverage ends 2019-06-10
    assert coercion[2000][2] == ["partial_window"] and coercion[2001][2] == ["partial_window"]
    assert coercion[2002][2] == [] and coercion[2018][2] == []


def test_only_accepted_current_records_count(db, tmp_path):
    load_small_asd(db, tmp_path)
    manual = {"id": "ev-m1", "actors": ["RUS"], "target": "EST", "start_date": "2010",
              "end_date": "2010", "title": "Donations to a party",
              "sources": ["https://example.org/m1"], "indicators": ["sp_malign_finance"]}
    ev.add_evidence(db, manual, coder="alice")
    assert series(ev.indicator_values(db), "RUS", "EST", "sp_malign_finance")[2010] == 0
    ev.review(db, "ev-m1", "accept", "bob")
    after = table(ev.indicator_values(db), "RUS", "EST", "sp_malign_finance")
    assert {y: after[y][0] for y in (2009, 2010, 2011, 2012, 2013)} == {
        2009: 0, 2010: 1, 2011: 1, 2012: 1, 2013: 0}
    assert after[2010][1] == ["ev-m1"]
    ev.review(db, "ev-m1", "reject", "carol")
    assert series(ev.indicator_values(db), "RUS", "EST", "sp_malign_finance")[2010] == 0
    ev.update_evidence(db, "asd-9002", {"withdrawn_from_source": True}, coder="carol")
    assert series(ev.indicator_values(db), "RUS", "EST", "sp_malign_finance")[2018] == 0


def test_windows_are_declared_per_indicator(db, tmp_path):
    load_small_asd(db, tmp_path)
    settings = {"default_window": 3, "windows": {"sp_malign_finance": 1}}
    values = ev.indicator_values(db, settings=settings)
    assert series(values, "RUS", "EST", "sp_malign_finance") == {
        y: int(y == 2017) for y in range(2000, 2020)}
    assert set(values[values["indicator"] == "sp_malign_finance"]["window"]) == {1}
    five = ev.indicator_values(db, settings={"default_window": 5})
    assert series(five, "RUS", "XKX", "sp_kinetic_operations")[2020 - 1] == 1  # 2015-2019


def test_extra_coverage_declared_in_settings(db, tmp_path):
    load_small_asd(db, tmp_path)
    settings = {"default_window": 3, "extra_coverage": [{
        "origin": "project-x", "actors": ["CHN"], "targets": ["AUS"],
        "indicators": ["sp_media_capture"], "first_year": 2018, "last_year": 2020}]}
    values = ev.indicator_values(db, settings=settings)
    assert series(values, "CHN", "AUS", "sp_media_capture") == {2018: 0, 2019: 0, 2020: 0}


def test_values_are_written_to_observations_with_evidence_ids(db, tmp_path):
    load_small_asd(db, tmp_path)
    cb = load_codebook()
    result = write_values(db, cb)
    obs = db.read("SELECT * FROM observations WHERE source = 'evidence'")
    # six indicators + the composite + ASD's own yearly count (prs_asd_incidents)
    assert result.rows == len(obs) == 2 * 2 * (6 + 1 + 1) * 20
    asd = obs[obs["indicator"] == "prs_asd_incidents"].set_index(["actor", "target", "year"])
    every = obs[obs["indicator"] == "prs_recorded_interference"].set_index(
        ["actor", "target", "year"])
    assert (asd["value"] <= every.loc[asd.index, "value"]).all()  # one year, not three
    assert asd["note"].str.contains("1-year window").all() and asd["value"].sum() > 0
    row = obs[(obs["actor"] == "RUS") & (obs["target"] == "EST")
              & (obs["indicator"] == "sp_cyber_operations") & (obs["year"] == 2013)].iloc[0]
    assert row["value"] == 1.0 and json.loads(row["evidence_ids"]) == ["asd-9004"]
    assert row["unit"] == cb.indicator("sp_cyber_operations")["unit"]
    zero = obs[(obs["target"] == "XKX") & (obs["actor"] == "CHN")]
    assert (zero["value"] == 0).all() and (zero["evidence_ids"] == "[]").all()
    assert obs[obs["target"] == "LVA"].empty
    write_values(db, cb)  # replaces, never duplicates
    assert db.scalar("SELECT COUNT(*) FROM observations WHERE source = 'evidence'") == len(obs)


def test_composite_counts_distinct_incidents_of_any_member_where_any_is_covered(db, tmp_path):
    load_small_asd(db, tmp_path)
    values = ev.indicator_values(db)
    members = [c for c in set(values["indicator"]) if c.startswith("sp_")]
    comp = values[values["indicator"] == "prs_recorded_interference"]
    for (actor, target, year), group in values[values["indicator"].isin(members)].groupby(
            ["actor", "target", "year"]):
        ids = sorted({i for lst in group["evidence_ids"] for i in lst})
        row = comp[(comp["actor"] == actor) & (comp["target"] == target) & (comp["year"] == year)]
        assert len(row) == 1 and list(row.iloc[0]["evidence_ids"]) == ids
        assert row.iloc[0]["value"] == len(ids)
    assert len(comp) == len(values[values["indicator"].isin(members)]
                            [["actor", "target", "year"]].drop_duplicates())
    assert comp["value"].max() >= 1 and (comp["value"] == 0).any()


@pytest.fixture
def mirror_evidence(db, mirror, tmp_path):
    conf = Settings(data_dir=tmp_path / "data", database_url="sqlite://", mirror=mirror)
    ctx = BuildContext(conf, db, load_codebook(), resolver())
    reference_step(ctx)
    for name in (ASD, "coercion-cases"):
        snap, _ = pull(conf, SOURCES[name])
        load_snapshot(ctx.load_context, SOURCES[name], snap)
    run_steps(ctx, names=["starter-evidence", "evidence"])
    return db


def raw_count(mirror, country, actor, tool, year):
    """Incidents of the raw file active in [year-2, year], recomputed from the JSON."""
    data = json.loads((mirror / ASD_FILE).read_text("utf-8"))
    n = 0
    for f in data["features"]:
        if f["properties"]["country"] != country:
            continue
        for inc in f["properties"]["incidents"]:
            if actor not in [a["name"] for a in inc["actors"]] or tool not in [
                    t["name"] for t in inc["tools"]]:
                continue
            start, end = inc["start_date"][0], inc["end_date"][0]
            if end and end < start:
                start = end
            first = int(start[:4])
            if end:
                last = int(end[:4])
            else:
                last = 9999 if re.search(r"ongoing|present|continu", inc["date_text"], re.IGNORECASE) else first
            n += first <= year and last >= year - 2
    return n


def test_mirror_values_match_the_raw_file_and_cover_only_declared_cells(mirror_evidence, mirror):
    db = mirror_evidence
    obs = db.read("SELECT actor, target, indicator, year, value, evidence_ids FROM observations "
                  "WHERE source = 'evidence'")
    for country, iso3, actor, code, tool in [
            ("Estonia", "EST", "Russia", "sp_info_manipulation", "Information Manipulation"),
            ("Germany", "DEU", "Russia", "sp_cyber_operations", "Cyber Operations"),
            ("United States", "USA", "China", "sp_civil_society_subversion", "Civil Society Subversion"),
            ("Czech Republic", "CZE", "China", "sp_malign_finance", "Malign Finance")]:
        actor_iso = {"Russia": "RUS", "China": "CHN"}[actor]
        got = obs[(obs["target"] == iso3) & (obs["actor"] == actor_iso) & (obs["indicator"] == code)]
        assert sorted(got["year"]) == list(range(2000, 2026))
        for row in got.itertuples():
            ids = json.loads(row.evidence_ids)
            assert len(ids) == row.value
            from_asd = [i for i in ids if i.startswith("asd-")]
            assert len(from_asd) == raw_count(mirror, country, actor, tool, row.year), (iso3, row.year)
            assert all(i.startswith("starter-") for i in ids if i not in from_asd)
    asd_cells = obs[obs["indicator"] == "sp_info_manipulation"]
    assert asd_cells["target"].nunique() == 40
    # Japan: listed by the coercion cases (2010-2020) but not tracked by ASD
    jpn = obs[obs["target"] == "JPN"]
    assert set(jpn["indicator"]) == {"sp_economic_coercion", "prs_recorded_interference"}
    by = jpn.pivot_table(index="year", columns="indicator", values="value")
    assert (by["prs_recorded_interference"] == by["sp_economic_coercion"]).all()
    assert sorted(by.index) == list(range(2010, 2021)) and set(jpn["actor"]) == {"CHN"}
    assert obs[obs["target"] == "BRA"]["year"].tolist() != []  # listed once, covered 2010-2020
    assert obs[obs["target"] == "ARG"].empty  # never listed, not tracked: missing
    aus = obs[(obs["target"] == "AUS") & (obs["year"] == 2020)].iloc[0]
    assert "starter-aus-barley-tariffs" in json.loads(aus["evidence_ids"])
