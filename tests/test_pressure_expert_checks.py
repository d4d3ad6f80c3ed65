"""Issue 22, part 3: checks a regional expert would make of the pressure pillar, on the
store built from the whole mirror (the `built_store` fixture). Pressure combines every
source of what the actor does in the target (cyber operations, sanctions and economic
coercion, militarized disputes and armed conflict, military activity around Taiwan,
recorded interference, information operations, elite engagement, state media), each
inside its universe, so a target no source looks at is not scored 0."""

from __future__ import annotations

import pandas as pd
import pytest

from sharppower.index import scores


@pytest.fixture(scope="module")
def pressure(built_store):
    _, db = built_store
    frame = scores(db, level="pillar")
    frame = frame[frame["node"] == "pressure"]
    assert not frame.empty, "no pressure pillar scores in the mirror build"
    return frame


def ranked(pressure: pd.DataFrame, actor: str, year: int) -> pd.DataFrame:
    """One actor-year's pressure ranking (rank 1 = most pressure) with n ranked."""
    out = pressure[(pressure["actor"] == actor) & (pressure["year"] == year)]
    assert len(out) >= 30, f"{actor} {year}: only {len(out)} targets ranked on pressure"
    return out.set_index("target")


def rank_of(pressure, actor, year, target) -> tuple[int, int]:
    frame = ranked(pressure, actor, year)
    assert target in frame.index, f"{target} not ranked on {actor}'s pressure in {year}"
    return int(frame.loc[target, "rank"]), len(frame)


@pytest.mark.parametrize("year", range(2016, 2024))
def test_taiwan_is_in_chinas_top_five_every_year(pressure, year):
    rank, n = rank_of(pressure, "CHN", year, "TWN")
    assert rank <= 5, f"Taiwan {rank} of {n} in {year}"


@pytest.mark.parametrize("year", [2020, 2021])
def test_australia_is_in_the_top_quarter_of_chinas_pressure(pressure, year):
    rank, n = rank_of(pressure, "CHN", year, "AUS")
    assert rank <= n / 4, f"Australia {rank} of {n} in {year}"


def test_lithuania_rises_after_the_taiwanese_representative_office(pressure):
    before = ranked(pressure, "CHN", 2019).loc["LTU", "score"]
    for year in (2021, 2022):
        assert ranked(pressure, "CHN", year).loc["LTU", "score"] > before, year


@pytest.mark.parametrize("target", ["JPN", "PHL", "KOR"])
def test_chinas_neighbours_in_dispute_are_above_the_median(pressure, target):
    for year in range(2016, 2023):
        rank, n = rank_of(pressure, "CHN", year, target)
        assert rank <= n / 2, f"{target} {rank} of {n} in {year}"


@pytest.mark.parametrize("year", range(2014, 2023))
def test_ukraine_is_in_russias_top_five_every_year(pressure, year):
    rank, n = rank_of(pressure, "RUS", year, "UKR")
    assert rank <= 5, f"Ukraine {rank} of {n} in {year}"


def test_georgia_is_in_russias_top_ten_in_2008(pressure):
    rank, n = rank_of(pressure, "RUS", 2008, "GEO")
    assert rank <= 10, f"Georgia {rank} of {n} in 2008"


@pytest.mark.parametrize("target", ["GEO", "EST", "LVA", "LTU", "MDA"])
def test_russias_neighbours_are_above_the_median(pressure, target):
    for year in range(2014, 2023):
        rank, n = rank_of(pressure, "RUS", year, target)
        assert rank <= n / 2, f"{target} {rank} of {n} in {year}"
