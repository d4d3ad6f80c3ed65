"""PLA activity around Taiwan and transits reported by Japan: first row per date, yearly
sums inside the universe (Taiwan 2021-2025, Japan 2026), the 2022 change of measure
flagged, unlabelled transits not attributed; errors name file, row and field; the
SOURCE.md spot checks on the mirror; loading on both backends."""

from __future__ import annotations

import pytest
from _new_sources import FIXTURES, fixture_snapshot, mirror_snapshot

from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.errors import InputError
from sharppower.sources.connectors import pla_taiwan_activity as pla
from sharppower.sources.load import LoadContext, load_source
from sharppower.sources.registry import SOURCES

HERE = FIXTURES / "pla_taiwan_activity"


def _snap(tmp_path, aircraft="aircraft.csv", japan="japan.csv"):
    return fixture_snapshot(tmp_path, {pla.AIRCRAFT_FILE: HERE / aircraft,
                                       pla.JAPAN_FILE: HERE / japan})


def _at(frame, actor, target, year):
    hit = frame[(frame["actor"] == actor) & (frame["target"] == target) & (frame["year"] == year)]
    assert len(hit) == 1, (actor, target, year)
    return hit.iloc[0]


def test_yearly_aircraft_first_row_per_date_inside_the_universe(tmp_path):
    frame = pla.parse(_snap(tmp_path))
    twn = frame[frame["target"] == "TWN"].set_index("year")
    assert list(twn.index) == [2021, 2023, 2024]  # 2019 sparse and 2026 part year: outside
    assert twn.loc[2021, "aircraft"] == 56 + 16 and twn.loc[2021, "aircraft_days"] == 2
    assert twn.loc[2023, "aircraft"] == 71 + 103  # 2023-04-08: the first of its three rows
    assert twn.loc[2024, "aircraft"] == 153
    assert twn["actor"].eq("CHN").all()
    assert twn.loc[2023, "flags.aircraft"].startswith("measure_2022")
    assert twn["flags.aircraft"].isna()[2021]
    warnings = " ".join(frame.attrs["warnings"])
    assert "2 repeated rows of 1 dates" in warnings
    assert "1 dated rows without an aircraft count" in warnings and "(rows 5)" in warnings
    assert "2 daily counts outside 2021-2025" in warnings


def test_transits_by_labelled_actor_joint_activity_counts_for_both(tmp_path):
    frame = pla.parse(_snap(tmp_path))
    assert _at(frame, "CHN", "JPN", 2026)["transits"] == 2  # 03-02 (two rows, one day), 05-20
    assert _at(frame, "RUS", "JPN", 2026)["transits"] == 2  # 02-14 and the joint 05-20
    assert set(frame.loc[frame["target"] == "JPN", "year"]) == {2026}
    assert "2 transit rows without an actor in 2024-2025 not attributed" in " ".join(
        frame.attrs["warnings"])


def test_malformed_rows_name_file_row_and_field(tmp_path):
    with pytest.raises(InputError) as err:
        pla.parse(_snap(tmp_path, aircraft="bad_count.csv"))
    assert (err.value.file, err.value.row, err.value.field) == (
        pla.AIRCRAFT_FILE, 4, "pla_aircraft_sorties")
    with pytest.raises(InputError) as err:
        pla.parse(_snap(tmp_path, japan="bad_actor.csv"))
    assert (err.value.file, err.value.row, err.value.field) == (pla.JAPAN_FILE, 7, "國家")
    assert "朝鮮" in str(err.value)


def test_universes_per_variable_reach_the_spec():
    from sharppower.index.spec import load_spec

    spec = load_spec()
    codebook = load_codebook().indicators.set_index("code")
    assert codebook.loc["prs_pla_aircraft", "type"] == "count"
    assert spec.universes["prs_pla_aircraft"].targets == ("TWN",)  # the variable's, not the source's
    assert spec.universes["prs_pla_aircraft"].years == (2021, 2025)
    assert not pla.AIRCRAFT_UNIVERSE.covers("JPN", 2023)
    assert not pla.AIRCRAFT_UNIVERSE.covers("TWN", 2020)
    assert pla.TRANSIT_UNIVERSE.covers("JPN", 2026)


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    return mirror_snapshot(tmp_path_factory, "pla-taiwan-activity")


def test_mirror_spot_checks(mirror):
    """SOURCE.md: yearly sums of the first row per date 2021 939, 2022 3,275, 2023 4,568,
    2024 4,844, 2025 5,384; Japan: 35 China, 32 Russia and 15 joint labelled rows."""
    frame = pla.parse(mirror)
    twn = frame[frame["target"] == "TWN"].set_index("year")["aircraft"]
    assert twn.to_dict() == {2021: 939, 2022: 3275, 2023: 4568, 2024: 4844, 2025: 5384}
    assert _at(frame, "CHN", "JPN", 2026)["transits"] <= 35 + 15
    assert _at(frame, "RUS", "JPN", 2026)["transits"] <= 32 + 15
    assert _at(frame, "RUS", "JPN", 2026)["transits"] >= 40
    assert "18 repeated rows of 13 dates" in " ".join(frame.attrs["warnings"])


def test_load_stores_the_indicators(mirror, db):
    source, codebook = SOURCES["pla-taiwan-activity"], load_codebook()
    result = load_source(LoadContext(db, codebook, resolver()), source, mirror)
    assert result.status == "loaded"
    rows = db.read("SELECT actor, target, year, indicator, value, flags FROM observations "
                   "WHERE source = 'pla-taiwan-activity' ORDER BY indicator, actor, year")
    planes = rows[rows["indicator"] == "prs_pla_aircraft"]
    assert set(planes["target"]) == {"TWN"} and set(planes["actor"]) == {"CHN"}
    assert planes.set_index("year").loc[2024, "value"] == 4844
    assert "measure_2022" in planes.set_index("year").loc[2022, "flags"]
    transits = rows[rows["indicator"] == "prs_military_transits"]
    assert set(transits["actor"]) == {"CHN", "RUS"} and set(transits["target"]) == {"JPN"}
