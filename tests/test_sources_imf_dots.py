"""IMF DOTS connector: published figures, Nicaragua's duplicate workbook, estimates, mirror
fill, the COW fallback before a target's first DOTS year, errors naming file, row and field."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from _new_sources import mirror_snapshot

from sharppower.countries import resolver
from sharppower.errors import InputError
from sharppower.sources.connectors import imf_dots


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    return mirror_snapshot(tmp_path_factory, "imf-dots")


@pytest.fixture(scope="module")
def frame(snapshot):
    return imf_dots.parse(snapshot, resolver())


def value(df, target, actor, year, var):
    row = df[(df["target"] == target) & (df["actor"] == actor) & (df["year"] == year)]
    assert len(row) == 1, (target, actor, year)
    return row[var].iloc[0]


def test_published_figures(frame, snapshot):
    assert value(frame, "BRA", "CHN", 2020, "exports_to_actor") == pytest.approx(68377, abs=1)
    assert value(frame, "AUS", "CHN", 2019, "exports_to_actor") == pytest.approx(104145, abs=1)
    assert value(frame, "DEU", "CHN", 2020, "exports_to_actor") == pytest.approx(110373, abs=1)
    reporter, china = imf_dots.read_workbook(snapshot.path("DOTS_40.xlsx"), "DOTS_40.xlsx")
    exports = china[(china["flow"] == "exports") & (china["year"] == 2020)].set_index("partner")["value"]
    assert reporter == "China, P.R.: Mainland"
    assert exports["World"] == pytest.approx(2598024, abs=1)
    assert exports["United States"] == pytest.approx(452832, abs=1)
    _, russia = imf_dots.read_workbook(snapshot.path("DOTS_162.xlsx"), "DOTS_162.xlsx")
    world = russia[(russia["partner"] == "World") & (russia["flow"] == "exports") & (russia["year"] == 2020)]
    assert world["value"].iloc[0] == pytest.approx(337885, abs=1)


def test_the_actors_are_targets_of_each_other_from_their_own_reports(frame):
    """Russia's and China's own workbooks are read with every partner (for the mirror fill)
    and are reporters too: Russia's trade with China, China's with Russia, to 2020."""
    rus = frame[(frame["target"] == "RUS") & (frame["actor"] == "CHN") & (frame["year"] == 2020)].iloc[0]
    assert rus["exports_world"] == pytest.approx(337885, abs=1)
    assert rus["source_file.trade_share"] == "DOTS_162.xlsx"
    assert 0.1 < rus["trade_share"] < 0.3  # China: Russia's first trade partner, ~18% in 2020
    assert not str(rus["flags.trade_share"] or "").count("mirror")
    chn = frame[(frame["target"] == "CHN") & (frame["actor"] == "RUS") & (frame["year"] == 2020)].iloc[0]
    assert chn["exports_world"] == pytest.approx(2598024, abs=1)
    assert chn["source_file.trade_share"] == "DOTS_40.xlsx" and 0.01 < chn["trade_share"] < 0.05


def test_taiwan_a_partner_only_economy_gets_world_totals_from_every_reporter(frame):
    """Taiwan has no workbook: its exports are the sum of every reporter's imports from it
    (China's included), its imports the sum of their exports to it; flagged mirror."""
    twn = frame[(frame["target"] == "TWN") & (frame["actor"] == "CHN")].set_index("year")
    assert twn.loc[2020, "exports_world"] > twn.loc[2020, "exports_to_actor"] > 1e5  # US$ m
    assert 2e5 < twn.loc[2020, "imports_world"] < 4e5
    assert 0.2 < twn.loc[2020, "trade_share"] < 0.4  # China: Taiwan's first partner
    assert twn.loc[2000, "trade_share"] < twn.loc[2010, "trade_share"] < twn.loc[2020, "trade_share"]
    assert "mirror" in twn.loc[2020, "flags.exports_world"]
    assert "reporters' imports with Taiwan Province of China" in twn.loc[2020, "source_row.exports_world"]
    rus = frame[(frame["target"] == "TWN") & (frame["actor"] == "RUS") & (frame["year"] == 2020)]
    assert rus["trade_share"].iloc[0] < 0.02


def test_shares_and_their_sources(frame):
    usa = frame[(frame["target"] == "USA") & (frame["actor"] == "CHN") & (frame["year"] == 2020)].iloc[0]
    assert usa["trade_share"] == pytest.approx((usa["exports_to_actor"] + usa["imports_from_actor"])
                                               / (usa["exports_world"] + usa["imports_world"]))
    assert usa["source_file.trade_share"] == "DOTS_208.xlsx"
    assert frame["trade_share"].dropna().between(0, 1).all()
    assert frame[(frame["year"] == 2020) & (frame["actor"] == "CHN")]["trade_share"].notna().sum() >= 190
    assert value(frame, "KHM", "CHN", 2020, "trade_share") > value(frame, "FRA", "CHN", 2020, "trade_share")
    assert "DOTS_143.xlsx, DOTS_144.xlsx used once" in "\n".join(frame.attrs["warnings"])
    assert frame["flags.trade_share"].dropna().str.contains("imf_estimate").any()
    assert frame["flags.trade_share"].dropna().str.contains("mirror").any()


def test_cow_only_before_the_first_dots_year(frame):
    cow = frame["flags.trade_share"].fillna("").str.contains("from_cow")
    assert cow.any() and frame.loc[cow, "source_file.trade_share"].str.startswith("cow_").all()
    first_dots = frame[frame["dots_trade_share"].notna()].groupby(["target", "actor"])["year"].min()
    late = frame[cow].apply(lambda r: r["year"] >= first_dots.get((r["target"], r["actor"]), 9999), axis=1)
    assert not late.any()
    ussr = frame[(frame["actor"] == "RUS") & (frame["year"] == 1980) & frame["trade_share"].notna()]
    assert len(ussr) > 20 and ussr["flags.trade_share"].str.contains("actor_ussr").all()


def test_bad_cell_names_file_sheet_row_and_field(tmp_path):
    book = openpyxl.Workbook()
    for title, flow in (("Exports, FOB", "Exports, FOB to Partner Countries"),
                        ("Imports, CIF", "Imports, CIF from Partner Countries")):
        sheet = book.create_sheet(title)
        sheet["B2"], sheet["B4"], sheet["B5"] = flow, "Cambodia", "US Dollars, Millions"
        sheet["C7"], sheet["D7"] = "2019", "2020"
        sheet["B8"], sheet["C8"], sheet["D8"] = "World", "1,081.22 e", "1200"
        sheet["B9"], sheet["C9"], sheet["D9"] = "China, P.R.: Mainland", "120", "12O"
    del book["Sheet"]
    path = tmp_path / "DOTS_34.xlsx"
    book.save(path)
    with pytest.raises(InputError) as err:
        imf_dots.read_workbook(path, "DOTS_34.xlsx")
    assert (err.value.file, err.value.row, err.value.field) == ("DOTS_34.xlsx!Exports, FOB", 9, "2020")
    assert imf_dots.cell_value("1,081.22 e", "f", 8, "2019") == (1081.22, True)
    assert pd.isna(imf_dots.cell_value("", "f", 8, "2019")[0])


def test_every_declared_actor_is_a_partner_iran_and_the_united_states(frame, snapshot):
    """Actor-generic: the codebook's Iran and United States get rows like China and Russia,
    from the partner rows their IMF names resolve to (spot checks against the workbooks)."""
    _, canada = imf_dots.read_workbook(snapshot.path("DOTS_36.xlsx"), "DOTS_36.xlsx", every=True)
    cell = canada[(canada["partner"] == "United States") & (canada["flow"] == "exports")
                  & (canada["year"] == 2019)]
    assert value(frame, "CAN", "USA", 2019, "exports_to_actor") == pytest.approx(cell["value"].iloc[0])
    assert value(frame, "CAN", "USA", 2019, "exports_to_actor") == pytest.approx(337583, abs=1)
    assert value(frame, "CAN", "USA", 2019, "source_row.exports_to_actor") == cell["row"].iloc[0]
    _, afghanistan = imf_dots.read_workbook(snapshot.path("DOTS_1.xlsx"), "DOTS_1.xlsx", every=True)
    iran = afghanistan[(afghanistan["partner"] == "Iran, Islamic Rep. of")
                       & (afghanistan["flow"] == "imports") & (afghanistan["year"] == 2020)]
    assert value(frame, "AFG", "IRN", 2020, "imports_from_actor") == pytest.approx(iran["value"].iloc[0])
    usa20 = frame[(frame["actor"] == "USA") & (frame["year"] == 2020)].set_index("target")
    assert usa20.loc["MEX", "trade_share"] > 0.5 and usa20.loc["CAN", "trade_share"] > 0.5
    assert "USA" not in usa20.index
    irn20 = frame[(frame["actor"] == "IRN") & (frame["year"] == 2020)]
    top = irn20.nlargest(5, "trade_share")["target"].tolist()
    assert "AFG" in top and "ARM" in top  # Iran's neighbours, not distant economies
    assert not any("declared actor" in w for w in frame.attrs["warnings"])


def test_a_declared_actor_no_partner_row_resolves_to_is_a_warning(snapshot):
    frame = imf_dots.parse(snapshot, resolver(), actors=("CHN", "MCO"))  # Monaco: no DOTS row
    assert set(frame["actor"]) == {"CHN"}
    assert ("imf-dots: no rows for declared actor MCO (no DOTS partner row resolves to it)"
            in frame.attrs["warnings"])


def test_a_one_way_pair_of_an_actor_that_does_not_report_is_zero_the_other_way(frame):
    """Iran does not report to the IMF (its 2020 workbook is IMF estimates): Vietnam
    records exports to Iran and no imports from it, so those imports are zero (flagged
    unrecorded); the actors that report keep a blank as missing (no flag anywhere)."""
    vnm = frame[(frame["target"] == "VNM") & (frame["actor"] == "IRN") & (frame["year"] == 2020)].iloc[0]
    assert vnm["imports_from_actor"] == 0 and vnm["exports_to_actor"] == pytest.approx(49.70469)
    assert "unrecorded" in vnm["flags.trade_share"] and vnm["trade_share"] > 0
    reporting = frame[frame["actor"].isin(["CHN", "RUS", "USA"])]
    assert not reporting["flags.trade_share"].fillna("").str.contains("unrecorded").any()
