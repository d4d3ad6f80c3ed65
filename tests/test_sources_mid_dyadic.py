"""COW militarized interstate disputes: the actor's highest hostility level and initiation
per target and year; the USSR is not Russia; codes without an ISO3 warned; errors name
file, row and field; the SOURCE.md spot checks on the mirror, with the GML data as a
cross-check; loading on both backends."""

from __future__ import annotations

import os
from pathlib import Path

import pyreadr
import pytest
from _new_sources import FIXTURES, fixture_snapshot, mirror_snapshot

from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.errors import InputError
from sharppower.sources.connectors import mid_dyadic as mid
from sharppower.sources.cow_states import STATES
from sharppower.sources.load import LoadContext, load_source
from sharppower.sources.registry import SOURCES

HERE = FIXTURES / "mid_dyadic"


def _snap(tmp_path, disputes="disputes.rda"):
    return fixture_snapshot(tmp_path, {mid.FILE: HERE / disputes, STATES: HERE / "states.csv"})


def _at(frame, actor, target, year):
    hit = frame[(frame["actor"] == actor) & (frame["target"] == target) & (frame["year"] == year)]
    assert len(hit) == 1, (actor, target, year)
    return hit.iloc[0]


def test_highest_hostility_and_initiation_per_dyad_year(tmp_path):
    frame = mid.parse(_snap(tmp_path), resolver(), actors=("CHN", "RUS", "USA"))
    war = _at(frame, "RUS", "GEO", 2008)
    assert war["hostility"] == 4 and war["initiated"] == 1 and "4436" in war["note"]
    japan = _at(frame, "CHN", "JPN", 2010)  # display (3, initiated) and threat (2): highest 3
    assert japan["hostility"] == 3 and japan["initiated"] == 1 and "4489, 4491" in japan["note"]
    later = _at(frame, "CHN", "JPN", 2011)  # side B, no militarized action of its own
    assert later["hostility"] == 1 and later["initiated"] == 0
    assert _at(frame, "CHN", "TWN", 1996)["hostility"] == 3
    assert len(frame) == 4  # Georgia's side of the war is not an actor's; the USSR is not RUS
    warnings = " ".join(frame.attrs["warnings"])
    assert "COW code 300" in warnings and "(rows 8)" in warnings
    assert "USA" in warnings  # a declared actor never side 1 of a dispute


def test_a_value_out_of_range_names_file_row_and_field(tmp_path):
    with pytest.raises(InputError) as err:
        mid.parse(_snap(tmp_path, "bad_hostility.rda"), resolver(), actors=("CHN",))
    assert (err.value.file, err.value.row, err.value.field) == (mid.FILE, 4, "hostlev1")


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    return mirror_snapshot(tmp_path_factory, "mid-dyadic")


def test_mirror_spot_checks_and_gml_cross_check(mirror):
    """SOURCE.md: Russia-Georgia 2008 (dispute 4436, use of force); Russia-Ukraine 2014
    (disputes 4682/4683, use of force); China-Japan 2010 (dispute 4489, China on side A);
    China-Philippines 2012 (dispute 4703); Russia's and China's top opponents since 2000.
    GML 2.2.1 (to 2010) codes the same Russia-Georgia 2008 war at hostility 4."""
    frame = mid.parse(mirror, resolver(), actors=("CHN", "RUS"))
    assert _at(frame, "RUS", "GEO", 2008)["hostility"] == 4
    crimea = _at(frame, "RUS", "UKR", 2014)
    assert crimea["hostility"] == 4 and "4682" in crimea["note"] and "4683" in crimea["note"]
    assert "4489" in _at(frame, "CHN", "JPN", 2010)["note"]
    assert "4703" in _at(frame, "CHN", "PHL", 2012)["note"]
    since = frame[frame["year"] >= 2000]
    top = lambda a: set(since[since["actor"] == a]["target"].value_counts().index[:3])
    assert top("RUS") >= {"GEO", "JPN"} and top("CHN") >= {"JPN", "TWN"}
    assert frame["year"].max() == 2014
    gml_file = Path(os.environ["SHARPPOWER_MIRROR"]) / "mid_dyadic" / "gml_dirdisp.rda"
    gml = pyreadr.read_r(str(gml_file))["gml_dirdisp"]
    war = gml[(gml["ccode1"] == 365) & (gml["ccode2"] == 372) & (gml["year"] == 2008)]
    assert war["hostlev1"].max() == 4 == _at(frame, "RUS", "GEO", 2008)["hostility"]


def test_load_stores_hostility_and_initiation(mirror, db):
    source, codebook = SOURCES["mid-dyadic"], load_codebook()
    result = load_source(LoadContext(db, codebook, resolver()), source, mirror)
    assert result.status == "loaded"
    rows = db.read("SELECT indicator, value FROM observations WHERE source = 'mid-dyadic' "
                   "AND actor = 'RUS' AND target = 'GEO' AND year = 2008")
    assert dict(zip(rows["indicator"], rows["value"])) == {"prs_mid_hostility": 4,
                                                           "prs_mid_initiated": 1}
