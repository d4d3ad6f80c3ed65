"""Data-quality checks: they find the mirror's defective wave without being told where,
flag nothing in the clean waves, and flag (never fix) impossible or inconsistent figures."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sharppower.measures.opinion import compute_estimates
from sharppower.measures.opinion.quality import (
    CHECKS,
    duplicate_publics,
    flag_lists,
    lockstep,
    percentages,
    run_checks,
)
from sharppower.measures.opinion.schema import STATE_ACTORS
from sharppower.sources.connectors.pew import ROW_LABEL, read_rds

MIRROR = os.environ.get("SHARPPOWER_MIRROR")


@pytest.fixture(scope="module")
def estimates() -> pd.DataFrame:
    if not MIRROR:
        pytest.skip("no mirror (SHARPPOWER_MIRROR)")
    resp = read_rds(Path(MIRROR) / "pew_global_attitudes" / "pew_all_opi.RDS")
    return compute_estimates(resp, "pew_all_opi.RDS", ROW_LABEL, actors=list(STATE_ACTORS))


def test_checks_are_registered_by_name():
    assert set(CHECKS) == {"lockstep", "percentages", "duplicate_publics"}


def test_lockstep_finds_the_2013_china_wave_and_nothing_else(estimates):
    found = lockstep(estimates)
    assert list(zip(found["actor"], found["year"])) == [("CHN", 2013)]
    assert found["public"].isna().all()  # the whole wave
    assert "USA" in found["detail"].iloc[0]  # it tracks the USA column
    # every other finding on the mirror is the Palestinian second code (PLS, 2014)
    others = run_checks(estimates).query("check != 'lockstep'")
    assert set(others["check"]) == {"duplicate-public"}
    assert set(zip(others["public"], others["year"])) == {("PSE", 2014)}


def test_lockstep_finds_a_defect_planted_elsewhere(estimates):
    """Make Russia's 2018 figures copy the USA's 2018 figures (plus noise): found as well."""
    planted = estimates.copy()
    rus = planted.index[(planted["actor"] == "RUS") & (planted["year"] == 2018)]
    usa = planted[(planted["actor"] == "USA") & (planted["year"] == 2018)].set_index("public")
    copied = usa["favorable"].reindex(planted.loc[rus, "public"]).to_numpy()
    noise = np.random.default_rng(1).normal(0, 2, len(rus))
    planted.loc[rus, "favorable"] = np.clip(copied + noise, 0, 100)
    assert planted.loc[rus, "favorable"].notna().sum() >= 8
    found = lockstep(planted)
    assert set(zip(found["actor"], found["year"])) == {("CHN", 2013), ("RUS", 2018)}
    assert "USA" in found.set_index("actor").loc["RUS", "detail"]


def test_lockstep_ignores_actors_that_merely_resemble_each_other(estimates):
    """Two actors whose figures correlate every year (both clean) are not flagged."""
    twin = estimates[estimates["actor"] == "USA"].assign(actor="XXX")
    twin["favorable"] = np.clip(twin["favorable"] * 0.9 + 3, 0, 100)
    found = lockstep(pd.concat([estimates, twin], ignore_index=True))
    assert list(zip(found["actor"], found["year"])) == [("CHN", 2013)]


def synthetic(**changes) -> pd.DataFrame:
    base = {"actor": "CHN", "public": "SWE", "year": 2020, "public_code": "SWE",
            "self_rating": False, "favorable": 20.0, "unfavorable": 75.0, "very_favorable": 5.0,
            "very_unfavorable": 30.0, "dk": 5.0, "net": -55.0}
    rows = [base, {**base, "public": "CAN", "public_code": "CAN", **changes}]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("changes, check", [
    ({"favorable": 120.0, "net": 45.0, "dk": -95.0}, "impossible-percent"),
    ({"unfavorable": 85.0, "net": -65.0}, "inconsistent-percent"),  # adds up to 110
    ({"very_unfavorable": 80.0}, "inconsistent-percent"),  # more than all unfavourable
    ({"net": 10.0}, "inconsistent-percent"),  # net is not favourable - unfavourable
])
def test_percentage_checks(changes, check):
    found = percentages(synthetic(**changes))
    assert check in set(found["check"])
    assert set(found["public"]) == {"CAN"}  # the clean row is not flagged


def test_percentages_accept_clean_rows():
    assert percentages(synthetic()).empty


def test_duplicate_public_codes():
    frame = synthetic()
    frame.loc[1, ["public", "public_code"]] = ["PSE", "PLS"]
    extra = frame.iloc[[1]].assign(year=2015, public_code="PSE")
    found = duplicate_publics(pd.concat([frame, extra], ignore_index=True))
    assert list(zip(found["public"], found["year"])) == [("PSE", 2020)]
    assert "PLS" in found["detail"].iloc[0]


def test_flags_of_each_cell():
    frame = synthetic()
    frame = pd.concat([frame, frame.iloc[[0]].assign(public="CHN", self_rating=True)],
                      ignore_index=True)
    findings = pd.DataFrame([{"check": "lockstep", "actor": "CHN", "public": None, "year": 2020,
                              "detail": "x"},
                             {"check": "duplicate-public", "actor": "CHN", "public": "CAN",
                              "year": 2020, "detail": "y"}])
    flags = flag_lists(frame, findings)
    assert flags[0] == ["suspect", "lockstep"]
    assert flags[1] == ["suspect", "duplicate-public", "lockstep"]
    assert flags[2] == ["suspect", "lockstep", "self-rating"]
    assert flag_lists(frame, findings.iloc[0:0]) == [[], [], ["self-rating"]]
