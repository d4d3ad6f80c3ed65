"""The opinion build step on the mirror, on SQLite and PostgreSQL: estimates, flags and
attraction observations in the store; incremental; the Python API; malformed files."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadr
import pytest

from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.errors import InputError
from sharppower.measures import opinion
from sharppower.measures.opinion import build as opinion_build
from sharppower.measures.opinion.schema import ESTIMATE_COLUMNS
from sharppower.pipeline import BuildContext, load_snapshot, run_steps
from sharppower.settings import Settings
from sharppower.sources.connectors import pew
from sharppower.sources.snapshot import Snapshot, pull, sha256_file

MIRROR = os.environ.get("SHARPPOWER_MIRROR")


@pytest.fixture(scope="module")
def pew_settings(tmp_path_factory) -> Settings:
    """Settings with a data folder shared by the module (the snapshot's Parquet cache too)."""
    if not MIRROR:
        pytest.skip("no mirror (SHARPPOWER_MIRROR)")
    root = tmp_path_factory.mktemp("pew")
    return Settings(data_dir=root, database_url=f"sqlite:///{root / 'unused.db'}",
                    mirror=Path(MIRROR))


def load_pew(db, settings) -> BuildContext:
    ctx = BuildContext(replace(settings, database_url=db.url), db, load_codebook(), resolver())
    snapshot, _ = pull(settings, pew.SOURCE)
    load_snapshot(ctx.load_context, pew.SOURCE, snapshot)
    ctx.results = run_steps(ctx, names=["opinion"])
    return ctx


def pew_observations(db) -> pd.DataFrame:
    return db.read("SELECT * FROM observations WHERE source = 'pew-global-attitudes'")


def counts(db) -> dict[str, object]:
    return {
        "estimates": db.scalar("SELECT COUNT(*) FROM opinion_estimates"),
        "observations": db.scalar("SELECT COUNT(*) FROM observations"),
        "quality": db.scalar("SELECT COUNT(*) FROM opinion_quality"),
        "sha": db.scalar("SELECT sha256 FROM sources WHERE name = 'pew-global-attitudes'"),
    }


def test_build_step_writes_attraction_observations(db, pew_settings):
    ctx = load_pew(db, pew_settings)
    [result] = ctx.results
    assert result.status == "loaded"
    assert any(w.startswith("lockstep: 2013, actor CHN") for w in result.warnings)
    obs = pew_observations(db)
    assert set(obs["indicator"]) == {"att_favorable", "att_unfavorable", "att_very_unfavorable",
                                     "att_net"}
    assert not (obs["actor"] == obs["target"]).any()  # self-ratings are not attraction abroad
    assert {"CHN", "RUS", "USA"} <= set(obs["actor"])
    assert obs["se"].notna().all() and obs["n"].notna().all()
    assert ((obs["ci_low"] <= obs["value"]) & (obs["value"] <= obs["ci_high"])).all()
    unf = obs[(obs["indicator"] == "att_unfavorable") & (obs["actor"] == "CHN")
              & (obs["year"] == 2022)].set_index("target")
    for public, published in {"SWE": 83, "CAN": 74, "AUS": 86, "KOR": 80}.items():
        assert abs(unf.loc[public, "value"] - published) <= 1.0  # the essay's figures
    assert unf.loc["SWE", "source_row"] == "pew_all_opi.RDS: wav=2022, sta=SWE"
    assert unf.loc["SWE", "source_file"] == "pew_all_opi.RDS"
    assert unf.loc["SWE", "unit"] == "percent of adults"


def test_defective_wave_is_flagged_suspect_in_observations(db, pew_settings):
    load_pew(db, pew_settings)
    obs = pew_observations(db)
    flags = obs["flags"].map(lambda f: json.loads(f) if isinstance(f, str) else [])
    suspect = obs[flags.map(lambda f: "suspect" in f)]
    lockstep = suspect[flags[suspect.index].map(lambda f: "lockstep" in f)]
    assert set(zip(lockstep["actor"], lockstep["year"])) == {("CHN", 2013)}
    wave = opinion.estimates(db, "CHN", year=2013)  # its 38 foreign publics
    assert len(lockstep) == 4 * len(wave) == 4 * 38  # four indicators each
    assert lockstep["note"].str.contains("correlates").all()
    rest = suspect.drop(lockstep.index)
    assert set(zip(rest["target"], rest["year"])) == {("PSE", 2014)}  # published as PLS
    clean = obs[flags.map(len) == 0]
    assert len(clean) + len(suspect) == len(obs)
    found = opinion.quality_flags(db)
    assert set(found["check"]) == {"lockstep", "duplicate-public"}


def test_build_step_is_incremental(db, pew_settings, monkeypatch):
    ctx = load_pew(db, pew_settings)
    assert [r.status for r in run_steps(ctx, names=["opinion"])] == ["unchanged"]
    monkeypatch.setattr(opinion_build, "METHOD_VERSION", "test-next")
    assert [r.status for r in run_steps(ctx, names=["opinion"])] == ["loaded"]
    assert [r.status for r in run_steps(ctx, names=["opinion"])] == ["unchanged"]
    ctx.force = True
    assert [r.status for r in run_steps(ctx, names=["opinion"])] == ["loaded"]
    assert db.scalar("SELECT COUNT(*) FROM opinion_estimates") == 2037


def test_python_api(db, pew_settings):
    load_pew(db, pew_settings)
    est = opinion.estimates(db, "CHN", "SWE")
    assert list(est.columns) == ESTIMATE_COLUMNS
    assert est["year"].tolist() == [2007, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023]
    assert opinion.estimates(db, "CHN", "CHN")["self_rating"].all()  # asked for explicitly
    assert not opinion.estimates(db, "CHN", year=2013)["self_rating"].any()
    assert opinion.estimates(db, "CHN", year=2013, include_self=True)["self_rating"].any()

    chg = opinion.changes(db, "CHN", "SWE", base_year=2018).set_index("year")
    a, b = est.set_index("year").loc[2022], est.set_index("year").loc[2018]
    assert chg.loc[2022, "change_base"] == pytest.approx(a["unfavorable"] - b["unfavorable"])
    z = (a["unfavorable"] - b["unfavorable"]) / np.hypot(a["unfavorable_se"], b["unfavorable_se"])
    assert chg.loc[2022, "z_base"] == pytest.approx(z) and chg.loc[2022, "significant_base"]
    assert chg.loc[2022, "prev_year"] == 2021 and not chg.loc[2022, "significant"]
    assert chg.loc[2016, "prev_year"] == 2007  # Sweden was not asked in between

    # the defective 2013 wave is left out of changes: Japan 2014 is compared with 2012
    jpn = opinion.changes(db, "CHN", "JPN").set_index("year")
    assert 2013 not in jpn.index and jpn.loc[2014, "prev_year"] == 2012

    med = opinion.medians(db, "CHN", 2022).iloc[0]
    cross = opinion.estimates(db, "CHN", year=2022)
    assert med["publics"] == len(cross) == 18
    assert med["unfavorable"] == pytest.approx(np.median(cross["unfavorable"]))


def test_trend_matches_numpy_weighted_fit(db, pew_settings):
    load_pew(db, pew_settings)
    est = opinion.estimates(db, "CHN", "JPN")
    tr = opinion.trend(db, "CHN", "JPN", last=6).iloc[0]
    last = est.sort_values("year").tail(6)
    x, y, se = last["year"].to_numpy(float), last["unfavorable"], last["unfavorable_se"]
    coef, cov = np.polyfit(x, y, 1, w=1 / se, cov="unscaled")
    _, cov_scaled = np.polyfit(x, y, 1, w=1 / se, cov=True)  # scaled by chi2 / (k - 2)
    assert tr["waves"] == 6 and tr["first_year"] == 2018
    assert tr["slope"] == pytest.approx(coef[0])
    assert tr["slope_se"] == pytest.approx(np.sqrt(max(cov[0, 0], cov_scaled[0, 0])))
    assert tr["slope_ci_low"] < tr["slope"] < tr["slope_ci_high"]


def test_historic_highs(db, pew_settings):
    load_pew(db, pew_settings)
    chg = opinion.changes(db, "CHN", "SWE").set_index("year")
    # 2023 (84.4) is above every earlier Swedish wave, 2022 (82.9) is below 2020 (84.2)
    assert chg.loc[2023, "historic_high"] and chg.loc[2023, "series_high"]
    assert not chg.loc[2022, "historic_high"]
    values = chg["value"]
    for year in values.index[3:]:
        assert chg.loc[year, "historic_high"] == (values[year] > values.loc[:year].iloc[:-1].max())


def malformed_snapshot(tmp_path, frame: pd.DataFrame) -> Snapshot:
    path = tmp_path / pew.FILE
    pyreadr.write_rds(str(path), frame)
    meta = {"url": pew.URL, "mirror": "", "sha256": sha256_file(path),
            "bytes": path.stat().st_size, "retrieved_at": "2026-01-01T00:00:00+00:00"}
    return Snapshot(pew.SOURCE.name, tmp_path, {pew.FILE: meta})


def small_frame() -> pd.DataFrame:
    return pd.DataFrame({"wav": [2022.0, 2022.0, 2022.0], "sta": ["SWE", "SWE", "CAN"],
                         "wgt": [1.0, 0.5, 2.0],
                         "opi_CHN": ["Very unfavorable", "DK", "Somewhat favorable"]})


@pytest.mark.parametrize("mangle, row, field", [
    (lambda f: f.drop(columns=["wgt"]), "header", "wgt"),
    (lambda f: f.assign(opi_CHN=["Very unfavorable", "DK", "Rather nice"]), 3, "opi_CHN"),
    (lambda f: f.assign(wgt=[1.0, -1.0, 2.0]), 2, "wgt"),
    (lambda f: f.assign(sta=["SWE", "XXQ", "CAN"]), 2, "sta"),
])
def test_malformed_file_changes_nothing(db, pew_settings, tmp_path, mangle, row, field):
    ctx = load_pew(db, pew_settings)
    before = counts(db)
    snapshot = malformed_snapshot(tmp_path, mangle(small_frame()))
    with pytest.raises(InputError) as err:
        opinion_build.load(ctx.load_context, snapshot)
    assert (err.value.file, err.value.row, err.value.field) == (pew.FILE, row, field)
    assert f"{pew.FILE}, row {row}, field '{field}'" in str(err.value)
    assert counts(db) == before


def test_a_valid_small_file_loads(db, pew_settings, tmp_path):
    ctx = load_pew(db, pew_settings)
    snapshot = malformed_snapshot(tmp_path, small_frame())
    result = opinion_build.load_harmonised(db, snapshot, ctx.codebook)
    assert result.status == "loaded"
    est = opinion.estimates(db, "CHN", "SWE")
    assert est["year"].tolist() == [2022]
    # weights 1 (very unfavourable) and 0.5 (DK): unfavourable 1/1.5
    assert est["unfavorable"].iloc[0] == pytest.approx(100 / 1.5)
    assert est["dk"].iloc[0] == pytest.approx(50 / 1.5)


def test_an_imported_wave_takes_the_place_of_the_harmonised_file(db, pew_settings, tmp_path):
    import pyreadstat
    import yaml

    ctx = load_pew(db, pew_settings)
    sav, yml = tmp_path / "pew2022_sweden.sav", tmp_path / "mapping.yaml"
    frame = pd.DataFrame({"country": [1.0] * 4, "weight": [1.0] * 4, "fav_china": [4, 4, 3, 1]})
    pyreadstat.write_sav(frame, str(sav), variable_value_labels={"country": {1: "Sweden"}})
    yml.write_text(yaml.safe_dump({
        "year": 2022, "public_column": "country", "weight_column": "weight",
        "items": {"CHN": "fav_china"}, "responses": {1: "Very favorable", 2: "Somewhat favorable",
                                                    3: "Somewhat unfavorable",
                                                    4: "Very unfavorable", 8: "DK", 9: "Refused"}}))
    opinion.import_wave(db, sav, yml)
    cell = opinion.estimates(db, "CHN", "SWE", 2022).iloc[0]
    assert (cell["origin"], cell["unfavorable"], cell["n"]) == (sav.name, 75, 4)
    both = opinion.estimates(db, "CHN", "SWE", 2022, all_origins=True).set_index("origin")
    assert both.loc[pew.FILE, "flags"] == ["superseded"] and both.loc[sav.name, "flags"] == []
    obs = pew_observations(db)
    swe = obs[(obs["actor"] == "CHN") & (obs["target"] == "SWE") & (obs["year"] == 2022)]
    assert set(swe["source_file"]) == {sav.name} and len(swe) == 4
    # rebuilding the harmonised file keeps the import in front
    ctx.force = True
    run_steps(ctx, names=["opinion"])
    assert opinion.estimates(db, "CHN", "SWE", 2022)["origin"].tolist() == [sav.name]
    assert opinion.estimates(db, "CHN", "SWE", 2021)["origin"].tolist() == [pew.FILE]


def test_api_on_a_store_without_opinion_data(db):
    """Before any load (the demo store) every function answers with its columns, no rows."""
    from sharppower.measures.opinion.series import CHANGE_COLUMNS

    assert list(opinion.estimates(db, "CHN").columns) == ESTIMATE_COLUMNS
    assert list(opinion.changes(db, "CHN", base_year=2018).columns) == CHANGE_COLUMNS
    frames = [opinion.estimates(db), opinion.changes(db, "CHN"), opinion.trend(db, "CHN"),
              opinion.medians(db, "CHN", 2022), opinion.quality_flags(db), opinion.toplines(db)]
    assert all(f.empty for f in frames)
    assert list(opinion.trend(db).columns)[:3] == ["actor", "public", "waves"]
    assert list(opinion.medians(db).columns) == ["actor", "year", "publics", "favorable",
                                                 "unfavorable", "very_unfavorable", "net", "dk"]
