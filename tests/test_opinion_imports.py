"""User imports of the opinion engine, on SQLite and PostgreSQL: toplines from CSV and Pew
SPSS waves through a column mapping. Validated, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

from sharppower.errors import InputError
from sharppower.measures import opinion
from sharppower.measures.opinion.topline_csv import read_toplines
from sharppower.measures.opinion.waves import load_mapping

FIXTURES = Path(__file__).parent / "fixtures" / "opinion"
TOPLINES = FIXTURES / "toplines_influence.csv"


def topline_obs(db) -> pd.DataFrame:
    return db.read("SELECT * FROM observations WHERE source = 'pew-toplines' "
                   "ORDER BY actor, target")


def snapshot(db) -> dict[str, object]:
    return {t: db.scalar(f"SELECT COUNT(*) FROM {t}") for t in
            ("observations", "opinion_toplines", "opinion_estimates", "opinion_imports", "sources")}


def test_import_toplines(db):
    result = opinion.import_toplines(db, TOPLINES)
    assert result.status == "loaded" and result.rows == 3
    obs = topline_obs(db)
    assert set(obs["indicator"]) == {"att_influence_stronger"}
    got = {(a, t): v for a, t, v in zip(obs["actor"], obs["target"], obs["value"])}
    assert got == {("CHN", "CAN"): 66, ("CHN", "SWE"): 71, ("RUS", "DEU"): 24}
    swe = obs[obs["target"] == "SWE"].iloc[0]
    assert swe["n"] == 1029 and swe["source_row"] == "2" and swe["year"] == 2022
    assert swe["source_file"] == TOPLINES.name and swe["unit"] == "percent of adults"
    assert "https://example.org/sharppower-test-fixture/influence-2022" in swe["note"]
    assert pd.isna(obs[obs["target"] == "DEU"]["n"].iloc[0])  # n left empty in the CSV
    stored = opinion.toplines(db)
    assert len(stored) == 6  # the unmapped question is kept, without an observation
    assert db.scalar("SELECT COUNT(*) FROM sources WHERE name = 'pew-toplines'") == 1


def test_reimport_replaces_rows_and_flags_inconsistent_sums(db, tmp_path):
    opinion.import_toplines(db, TOPLINES)
    again = tmp_path / "again.csv"
    again.write_text(TOPLINES.read_text().replace(",getting weaker,9,", ",getting weaker,40,"))
    result = opinion.import_toplines(db, again)
    assert len(opinion.toplines(db)) == 6
    assert any("inconsistent-percent" in w for w in result.warnings)
    obs = topline_obs(db).set_index("target")
    assert json.loads(obs.loc["SWE", "flags"]) == ["suspect", "inconsistent-percent"]  # 71+40+17
    assert pd.isna(obs.loc["CAN", "flags"])
    assert obs.loc["SWE", "source_file"] == "again.csv"


def mangled(tmp_path, old: str, new: str) -> Path:
    text = TOPLINES.read_text()
    assert old in text
    path = tmp_path / "bad.csv"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize("old, new, row, field", [
    (",66,1324,", ",101,1324,", 5, "percent"),
    (",66,1324,", ",-3,1324,", 5, "percent"),
    ("CHN,Canada", "CHN,Atlantis", 5, "public"),
    ("RUS,Germany", "XYZ,Germany", 6, "actor"),
    (",1324,https://example.org", ",1324,ftp://example.org", 5, "source_url"),
    (",1154,", ",0,", 7, "n"),
    (",2022,influence,getting stronger,66", ",20x2,influence,getting stronger,66", 5, "year"),
    ("getting weaker", "getting stronger", 3, "response"),  # the same row twice
    ("percent,n", "pct,n", 1, "percent"),
    # issue 24: numbers beyond any survey were an OverflowError traceback, or stored
    (",1154,", ",1e308,", 7, "n"),
    (",1154,", ",inf,", 7, "n"),
    (",1154,", ",20000000,", 7, "n"),
    (",66,1324,", ",nan,1324,", 5, "percent"),
    (",2022,influence,getting stronger,66", ",1e308,influence,getting stronger,66", 5, "year"),
])
def test_bad_toplines_change_nothing(db, tmp_path, old, new, row, field):
    opinion.import_toplines(db, TOPLINES)
    before = snapshot(db)
    with pytest.raises(InputError) as err:
        opinion.import_toplines(db, mangled(tmp_path, old, new))
    assert (err.value.file, err.value.row, err.value.field) == ("bad.csv", row, field)
    assert str(err.value).startswith(f"bad.csv, row {row}, field '{field}'")
    assert snapshot(db) == before


def test_toplines_validation_without_store():
    frame = read_toplines(TOPLINES)
    assert frame["public"].tolist() == ["SWE", "SWE", "SWE", "CAN", "DEU", "JPN"]
    assert frame["source_row"].tolist() == [2, 3, 4, 5, 6, 7]


# --- Pew SPSS waves ------------------------------------------------------------------
MAPPING = {
    "year": 2024, "public_column": "country", "weight_column": "weight",
    "items": {"CHN": "fav_china", "USA": "fav_us"},
    "responses": {1: "Very favorable", 2: "Somewhat favorable", 3: "Somewhat unfavorable",
                  4: "Very unfavorable", 8: "DK", 9: "Refused"},
    "not_asked": [],
}
# eight respondents: four in Sweden (code 1), four in Canada (code 2)
WAVE = pd.DataFrame({
    "country": [1, 1, 1, 1, 2, 2, 2, 2],
    "weight": [0.5, 1.5, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0],
    "fav_china": [4, 3, 2, 8, 1, 3, 9, 4],
    "fav_us": [1, 2, np.nan, 3, 2, 2, 1, 4],
})


def write_wave(tmp_path, frame=WAVE, mapping=MAPPING, name="spring2024.sav"):
    sav, yml = tmp_path / name, tmp_path / "mapping.yaml"
    pyreadstat.write_sav(frame, str(sav), variable_value_labels={
        "country": {1: "Sweden", 2: "Canada"}})
    yml.write_text(yaml.safe_dump(mapping))
    return sav, yml


def test_import_wave(db, tmp_path):
    sav, yml = write_wave(tmp_path)
    result = opinion.import_wave(db, sav, yml)
    assert result.status == "loaded"
    est = opinion.estimates(db, year=2024).set_index(["actor", "public"])
    swe = est.loc[("CHN", "SWE")]
    # Sweden, weights 0.5, 1.5, 1, 1 (W = 4): unfavourable 0.5 + 1.5 = 2 -> 50%; very 12.5%;
    # favourable 1 -> 25%; DK 1 -> 25%
    assert (swe["n"], swe["unfavorable"], swe["very_unfavorable"]) == (4, 50, 12.5)
    assert (swe["favorable"], swe["dk"], swe["net"]) == (25, 25, -25)
    assert swe["source_row"] == "spring2024.sav: year=2024, country=Sweden"
    # the US item was not asked of one Swede (system-missing): n = 3
    assert est.loc[("USA", "SWE"), "n"] == 3
    assert est.loc[("USA", "SWE"), "favorable"] == pytest.approx(100 * 2 / 3)
    obs = db.read("SELECT * FROM observations WHERE source = 'pew-global-attitudes' "
                  "AND indicator = 'att_unfavorable' AND actor = 'CHN' AND target = 'SWE'")
    assert obs["value"].tolist() == [50] and obs["source_file"].tolist() == ["spring2024.sav"]
    assert db.scalar("SELECT kind FROM opinion_imports") == "wave"


@pytest.mark.parametrize("change, row, field", [
    (lambda f, m: (f.drop(columns=["weight"]), m), "header", "weight"),
    (lambda f, m: (f.assign(fav_china=[4, 3, 2, 8, 1, 7, 9, 4]), m), 6, "fav_china"),
    (lambda f, m: (f.assign(weight=[0.5, 1.5, 1.0, 0.0, 2.0, 1.0, 1.0, 1.0]), m), 4, "weight"),
    (lambda f, m: (f.assign(country=[1, 1, 1, 1, 2, 2, 3, 2]), m), 7, "country"),
    (lambda f, m: (f, {**m, "items": {"CHN": "fav_prc"}}), "header", "fav_prc"),
])
def test_bad_wave_changes_nothing(db, tmp_path, change, row, field):
    ok = tmp_path / "ok"
    ok.mkdir()
    good_sav, good_yml = write_wave(ok)
    opinion.import_wave(db, good_sav, good_yml)
    before = snapshot(db)
    frame, mapping = change(WAVE.copy(), MAPPING)
    sav, yml = write_wave(tmp_path, frame, mapping, name="bad.sav")
    with pytest.raises(InputError) as err:
        opinion.import_wave(db, sav, yml)
    assert (err.value.file, err.value.row, err.value.field) == ("bad.sav", row, field)
    assert snapshot(db) == before


@pytest.mark.parametrize("change, field", [
    (lambda m: {k: v for k, v in m.items() if k != "weight_column"}, "weight_column"),
    (lambda m: {**m, "responses": {**m["responses"], 5: "Neutral"}}, "responses.5"),
    (lambda m: {**m, "items": {"China": "fav_china"}}, "items.China"),
    (lambda m: {k: v for k, v in m.items() if k != "year"}, "year"),
])
def test_bad_mapping(tmp_path, change, field):
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(change(MAPPING)))
    with pytest.raises(InputError) as err:
        load_mapping(path)
    assert (err.value.file, err.value.field) == ("m.yaml", field)


def test_example_mapping_is_valid():
    from importlib import resources

    path = resources.files("sharppower.measures.opinion").joinpath("mappings/pew_spring_example.yaml")
    mapping = load_mapping(Path(str(path)))
    assert set(mapping["items"]) == {"CHN", "RUS", "USA"}
