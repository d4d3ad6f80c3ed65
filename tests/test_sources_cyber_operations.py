"""EuRepoC and CFR cyber-operation connectors (issue 22): de-duplication, skipped receivers,
campaign weights, victim countries read from free text, errors naming file, row and field,
and the SOURCE.md spot checks on the mirror."""

from __future__ import annotations

import pandas as pd
import pytest
from _new_sources import FIXTURES, fixture_snapshot, mirror_snapshot
from scipy.stats import spearmanr

from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.errors import InputError
from sharppower.sources.connectors import cfr_cyber_operations as cfr
from sharppower.sources.connectors import eurepoc_cyber_incidents as eurepoc
from sharppower.sources.load import LoadContext, load_source
from sharppower.sources.registry import SOURCES

ACTORS = ("CHN", "RUS", "IRN", "USA")


def value(df, actor, target, year, column):
    hit = df[(df["actor"] == actor) & (df["target"] == target) & (df["year"] == year)]
    assert len(hit) == 1, (actor, target, year)
    return hit[column].iloc[0]


# --- EuRepoC -------------------------------------------------------------------------
def test_eurepoc_dedup_weights_and_skips(tmp_path):
    snap = fixture_snapshot(tmp_path, {eurepoc.FILE: FIXTURES / "eurepoc" / eurepoc.FILE})
    df = eurepoc.parse(snap, resolver(), actors=ACTORS)
    # incident 101 has two rows (two incident types): one incident; 102 hit Australia,
    # New Zealand and Taiwan (a region and China itself are no receivers): 1/3 each
    assert value(df, "CHN", "TWN", 2020, "incidents") == 2
    assert value(df, "CHN", "TWN", 2020, "incidents_weighted") == pytest.approx(1 + 1 / 3)
    assert value(df, "CHN", "AUS", 2020, "incidents_weighted") == pytest.approx(1 / 3)
    assert value(df, "CHN", "TWN", 2021, "incidents") == 1
    # 201 hit Ukraine and Germany (1/2 each); 202 Ukraine alone (its unknown co-initiator skipped)
    assert value(df, "RUS", "UKR", 2022, "incidents") == 2
    assert value(df, "RUS", "UKR", 2022, "incidents_weighted") == pytest.approx(1.5)
    assert value(df, "RUS", "DEU", 2022, "incidents_weighted") == pytest.approx(0.5)
    assert value(df, "IRN", "USA", 2014, "incidents") == 1
    assert not (df["target"] == df["actor"]).any() and "EST" not in set(df["target"])
    assert len(df) == 7
    warnings = "\n".join(df.attrs["warnings"])
    assert "'Southeast Asia (region)' 1" in warnings and "1 rows without a start_date" in warnings
    assert "1 self-targeting rows dropped" in warnings
    assert "no rows for declared actor USA" in warnings
    assert value(df, "CHN", "TWN", 2020, "source_row") == "rows 2, 8; IDs 101, 102"


def test_eurepoc_unknown_receiver_names_file_row_and_field(tmp_path):
    snap = fixture_snapshot(tmp_path, {eurepoc.FILE: FIXTURES / "eurepoc" / "unknown_receiver.csv"})
    with pytest.raises(InputError) as err:
        eurepoc.parse(snap, resolver(), actors=ACTORS)
    assert (err.value.file, err.value.row, err.value.field) == (eurepoc.FILE, 5, "receiver_country")
    assert "Neverland" in str(err.value)


@pytest.fixture(scope="module")
def eurepoc_mirror(tmp_path_factory):
    return eurepoc.parse(mirror_snapshot(tmp_path_factory, "eurepoc-cyber-incidents"), resolver())


def test_eurepoc_mirror_spot_checks(eurepoc_mirror):
    """SOURCE.md: China's top receivers United States 107 pairs, Taiwan 30, Japan 27 (a few
    undated rows fall out here); Russia's Ukraine 65 and the United States 63; the earliest
    China -> United States record is incident 5 of 2001; Russia's 2022 jump."""
    df = eurepoc_mirror
    chn = df[df["actor"] == "CHN"].groupby("target")["incidents"].sum().sort_values(ascending=False)
    rus = df[df["actor"] == "RUS"].groupby("target")["incidents"].sum().sort_values(ascending=False)
    assert list(chn.index[:3]) == ["USA", "TWN", "JPN"] and 100 <= chn["USA"] <= 107
    assert list(rus.index[:2]) == ["UKR", "USA"] and 60 <= rus["UKR"] <= 65
    assert {"DEU", "GBR", "POL"} <= set(rus.index[:8])
    first = df[(df["actor"] == "CHN") & (df["target"] == "USA")]["year"].min()
    assert first == 2001
    by_year = df[df["actor"] == "RUS"].groupby("year")["incidents"].sum()
    assert by_year.loc[2022:].min() > 2 * by_year.loc[:2021].max()
    # a campaign's weights sum to at most 1 over its receivers: no dyad weighs more than its count
    assert (df["incidents_weighted"] <= df["incidents"] + 1e-9).all()
    assert set(df["actor"]) == set(ACTORS) and df["year"].between(2000, 2023).all()


# --- CFR -----------------------------------------------------------------------------
def test_cfr_victims_from_text(tmp_path):
    snap = fixture_snapshot(tmp_path, {cfr.FILE: FIXTURES / "cfr_cyber" / cfr.FILE})
    df = cfr.parse(snap, resolver(), actors=ACTORS)
    assert value(df, "CHN", "BEL", 2022, "operations") == 1          # "Belgian ..." (demonym)
    assert value(df, "RUS", "UKR", 2022, "operations") == 1
    assert value(df, "CHN", "KOR", 2020, "operations") == 1          # "South Korean and Japanese"
    assert value(df, "CHN", "JPN", 2020, "operations") == 1
    # Victims and Title name no country: the Description's Turkey (China, the sponsor, left out)
    turkey = df[(df["actor"] == "CHN") & (df["target"] == "TUR")].iloc[0]
    assert turkey["flags.operations"] == "victim_from_text: read from the Description"
    usa = df[(df["actor"] == "RUS") & (df["target"] == "USA")].iloc[0]   # "Hack of the U.S. ..."
    assert usa["year"] == 2016 and usa["flags.operations"].endswith("the Title")
    assert len(df) == 6 and not (df["target"] == "CHN").any()
    warnings = "\n".join(df.attrs["warnings"])
    assert "1 operations of the declared actors without a date" in warnings
    assert "1 operations of the declared actors name no victim country" in warnings
    none = cfr.unresolved(snap, resolver(), actors=ACTORS)
    assert none.to_dict("records") == [
        {"actor": "CHN", "_row": 6, "victims": "Tibetan organizations and Tibetans living abroad"}]


def test_cfr_domestic_operation_has_no_target():
    """The first text naming a country decides: Victims naming only the sponsor (a state
    spying on its own dissidents) is domestic; the Description's spyware vendor is no victim."""
    match = cfr.matcher(resolver())
    op = {"Victims": "Political dissidents and opposition leaders in Ghana",
          "Title": "Pegasus use against opponents",
          "Description": "The Israeli spyware firm NSO Group sold Pegasus to the government."}
    assert cfr.victims(op, ["GHA"], match) == ([], "Victims")
    op["Victims"] = "Albanian government networks and a U.S. contractor"
    assert cfr.victims(op, ["IRN"], match) == (["ALB", "USA"], "Victims")


def test_cfr_date_without_a_year_names_file_row_and_field(tmp_path):
    snap = fixture_snapshot(tmp_path, {cfr.FILE: FIXTURES / "cfr_cyber" / "bad_date.csv"})
    with pytest.raises(InputError) as err:
        cfr.parse(snap, resolver(), actors=ACTORS)
    assert (err.value.file, err.value.row, err.value.field) == (cfr.FILE, 4, "Date")


@pytest.fixture(scope="module")
def cfr_snapshot(tmp_path_factory):
    return mirror_snapshot(tmp_path_factory, "cfr-cyber-operations")


def test_cfr_mirror_spot_checks(cfr_snapshot):
    """SOURCE.md: a name match finds China's top targets USA, India, Japan, Taiwan, Hong Kong
    and Russia's Ukraine, USA, Germany; the Belgian FPS Interior (2022, China) and WhisperGate
    (2022, Russia) entries; most operations get a victim country."""
    df = cfr.parse(cfr_snapshot, resolver())
    chn = df[df["actor"] == "CHN"].groupby("target")["operations"].sum().sort_values(ascending=False)
    rus = df[df["actor"] == "RUS"].groupby("target")["operations"].sum().sort_values(ascending=False)
    assert chn.index[0] == "USA" and {"IND", "JPN", "TWN", "HKG"} <= set(chn.index[:6])
    assert list(rus.index[:3]) == ["UKR", "USA", "DEU"]
    assert value(df, "CHN", "BEL", 2022, "operations") >= 1
    assert value(df, "RUS", "UKR", 2022, "operations") >= 10
    none = cfr.unresolved(cfr_snapshot, resolver())
    assert len(none[none["actor"] == "CHN"]) < 0.25 * 265 and len(none[none["actor"] == "RUS"]) < 0.2 * 158
    assert df["year"].between(2005, 2022).all()


def test_eurepoc_and_cfr_agree_on_who_targets_whom(eurepoc_mirror, cfr_snapshot):
    """Two independently curated trackers: over actor-target dyads (2005-2022, summed over
    the years, a dyad absent from one counts 0 there) the rank correlation is clearly positive."""
    cfr_df = cfr.parse(cfr_snapshot, resolver())
    keys = ["actor", "target"]
    a = eurepoc_mirror[eurepoc_mirror["year"].between(2005, 2022)].groupby(keys)["incidents"].sum()
    b = cfr_df.groupby(keys)["operations"].sum()
    both = pd.concat([a, b], axis=1).fillna(0)
    for actor in ("CHN", "RUS"):
        part = both.loc[actor]
        rho = spearmanr(part["incidents"], part["operations"]).statistic
        assert rho > 0.4, (actor, rho)


@pytest.mark.parametrize("name", ["eurepoc-cyber-incidents", "cfr-cyber-operations"])
def test_load_is_traceable_and_idempotent(name, tmp_path_factory, db):
    snapshot = mirror_snapshot(tmp_path_factory, name)
    source, codebook = SOURCES[name], load_codebook()
    first = load_source(LoadContext(db, codebook, resolver()), source, snapshot)
    query = ("SELECT actor, target, year, indicator, value, source_row FROM observations "
             f"WHERE source = '{name}' ORDER BY actor, target, year, indicator")
    before = db.read(query)
    assert first.status == "loaded" and len(before) == first.rows
    assert set(before["indicator"]) == set(codebook.for_source(name)["code"])
    assert set(before["actor"]) == set(ACTORS)
    again = load_source(LoadContext(db, codebook, resolver()), source, snapshot)
    assert again.status == "unchanged"
    pd.testing.assert_frame_equal(db.read(query), before)
