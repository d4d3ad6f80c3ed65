"""UCDP/PRIO armed conflict: the actor as a primary party against a state or backing the
armed opponents of the target's government (pressure); a secondary party on a
government's side (support, UN troop contributions) left out; the split record and
states without an ISO3 warned; errors name file, row and field; the SOURCE.md spot
checks on the mirror; loading on both backends."""

from __future__ import annotations

import pytest
from _new_sources import FIXTURES, fixture_snapshot, mirror_snapshot

from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.errors import InputError
from sharppower.sources.connectors import ucdp_prio_acd as ucdp
from sharppower.sources.cow_states import STATES
from sharppower.sources.load import LoadContext, load_source
from sharppower.sources.registry import SOURCES

HERE = FIXTURES / "ucdp_prio_acd"


def _snap(tmp_path, conflicts="conflicts.csv"):
    return fixture_snapshot(tmp_path, {ucdp.FILE: HERE / conflicts, STATES: HERE / "states.csv"})


def _at(frame, actor, target, year):
    hit = frame[(frame["actor"] == actor) & (frame["target"] == target) & (frame["year"] == year)]
    assert len(hit) == 1, (actor, target, year)
    return hit.iloc[0]


def test_pressure_rows_by_role(tmp_path):
    frame = ucdp.parse(_snap(tmp_path), resolver(), actors=("CHN", "RUS", "IRN", "USA"))
    assert _at(frame, "RUS", "GEO", 2008)["intensity"] == 1  # backing South Ossetia
    assert "backing side B" in _at(frame, "RUS", "GEO", 2008)["note"]
    assert _at(frame, "RUS", "UKR", 2015)["intensity"] == 2  # backing the DPR/LPR
    both = _at(frame, "RUS", "UKR", 2022)  # the interstate war (2) and the DPR conflict (1)
    assert both["intensity"] == 2 and "conflict 13243 (primary" in both["note"]
    assert "conflict 13306" in both["note"] and both["armed_conflict"] == 1
    assert _at(frame, "CHN", "IND", 2020)["intensity"] == 1
    assert len(frame) == 4  # Syria (RUS, IRN) and Mali (CHN) are support: no rows
    assert not frame["target"].isin(["SYR", "MLI"]).any()
    warnings = " ".join(frame.attrs["warnings"])
    assert "CHN a secondary party on the government's side" in warnings and ": 372" in warnings
    assert "RUS a secondary party" in warnings and "299" in warnings
    assert "lines 9 (conflict 11349), 10" in warnings  # the split record, refused
    assert "state code 751" in warnings and "rows 11" in warnings  # Hyderabad 1948
    assert "USA" in warnings  # a declared actor without a conflict


def test_a_malformed_state_code_names_file_row_and_field(tmp_path):
    with pytest.raises(InputError) as err:
        ucdp.parse(_snap(tmp_path, "bad_code.csv"), resolver(), actors=("CHN",))
    assert (err.value.file, err.value.row, err.value.field) == (ucdp.FILE, 8, "gwno_b")


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    return mirror_snapshot(tmp_path_factory, "ucdp-prio-acd")


def test_mirror_spot_checks(mirror):
    """SOURCE.md: Russia-Ukraine conflict 13243 at intensity 2 in 2022-2024; Russia behind
    South Ossetia against Georgia 2008 and behind the DPR/LPR 2014-2022; China-India 2020 at
    intensity 1; China's secondary roles (Mali, CAR) left out; the split record refused."""
    frame = ucdp.parse(mirror, resolver(), actors=("CHN", "RUS"))
    for year in (2022, 2023, 2024):
        assert _at(frame, "RUS", "UKR", year)["intensity"] == 2
    assert all(_at(frame, "RUS", "UKR", y)["armed_conflict"] == 1 for y in range(2014, 2025))
    assert _at(frame, "RUS", "GEO", 2008)["armed_conflict"] == 1
    assert _at(frame, "CHN", "IND", 2020)["intensity"] == 1
    since = frame[frame["year"] >= 2000]
    assert set(since.loc[since["actor"] == "CHN", "target"]) == {"IND"}
    assert set(since.loc[since["actor"] == "RUS", "target"]) == {"GEO", "UKR"}
    assert "conflict 11349" in " ".join(frame.attrs["warnings"])


def test_mirror_war_on_a_non_state_actor_is_not_pressure_on_the_host(mirror):
    """Issue 22: pressure on a state is conflict against its government. The United States
    fights al-Qaida, IS and the Taliban in Afghanistan, Pakistan, Syria, Iraq, Somalia and
    Yemen, and backs those governments (a secondary party on side A): none of that is
    pressure on them. Pakistan, where the US fought al-Qaida and backed the government
    against the TTP, gets no row; the states the US fought (Afghanistan 2001, Iraq 2003,
    Yemen's Houthi government 2024) and Iran (the US behind Israel, 2020-2024) do."""
    frame = ucdp.parse(mirror, resolver(), actors=("USA",))
    since = frame[frame["year"] >= 2000]
    assert set(since["target"]) == {"AFG", "IRQ", "IRN", "YEM"}
    assert set(since.loc[since["target"] == "AFG", "year"]) == {2001}
    assert "backing side B" in _at(frame, "USA", "IRN", 2024)["note"]
    assert frame[frame["target"] == "PAK"].empty
    support = " ".join(w for w in frame.attrs["warnings"] if "USA a secondary party" in w)
    assert support and int(support.split(" in ")[1].split()[0]) >= 10


def test_load_stores_binary_and_intensity(mirror, db):
    source, codebook = SOURCES["ucdp-prio-acd"], load_codebook()
    result = load_source(LoadContext(db, codebook, resolver()), source, mirror)
    assert result.status == "loaded"
    rows = db.read("SELECT actor, target, year, indicator, value FROM observations "
                   "WHERE source = 'ucdp-prio-acd' AND actor = 'RUS' AND target = 'UKR'")
    war = rows[rows["indicator"] == "prs_armed_conflict"].set_index("year")["value"]
    assert sorted(war.index) == list(range(2014, 2025)) and (war == 1).all()
    assert set(rows["indicator"]) == {"prs_armed_conflict", "prs_conflict_intensity"}
