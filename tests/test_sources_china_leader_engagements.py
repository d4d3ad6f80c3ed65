"""China Vitae engagements by kind (rules in YAML, tested on real rows) and AEI CGIT stock."""

from __future__ import annotations

import pandas as pd
import pyreadr
import pytest
from _new_sources import FIXTURES, fixture_snapshot, mirror_snapshot

from sharppower.countries import resolver
from sharppower.errors import InputError
from sharppower.sources.connectors import china_leader_engagements as cle


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    return mirror_snapshot(tmp_path_factory, "china-leader-engagements")


@pytest.fixture(scope="module")
def frame(snapshot):
    return cle.parse(snapshot, resolver())


@pytest.fixture(scope="module")
def raw(snapshot):
    return pyreadr.read_r(str(snapshot.path(cle.ENGAGEMENTS)))[None]


def test_kind_rules_on_real_rows(raw):
    def kind(start, country):
        rows = raw[raw["text"].str.startswith(start) & (raw["country"] == country)]
        assert len(rows) >= 1, start
        target = cle.rules()[1].get(country) or resolver().resolve(country)
        return cle.kind_of(rows["text"].iloc[0], target, resolver())

    assert kind("Xi Jinping travelled to Panama, Panama City and met with", "Panama") == "visit"
    assert kind("Xi Jinping was in Beijing Municipality and met with the following:  Ri Yong Ho",
                "North Korea") == "meeting"
    assert kind("Hu Jintao travelled to Chile, Santiago and met with the following: Tran Duc Luong",
                "Vietnam") == "meeting"   # met Vietnam's president at a summit in Chile
    assert kind("Wen Jiabao held talks with British Prime Minister", "England") == "visit"
    assert kind("Xi congratulates Zambian president on inauguration", "Zambia") == "other"
    assert kind("Wen Jiabao and Australian Prime Minister Kevin Rudd exchanged opinions", "Australia") == "other"


def test_counts_by_kind_cover_every_event(frame, raw):
    assert frame["engagements"].sum() == len(raw) - (raw["country"] == "China").sum()
    counted = frame[frame["engagements"].notna()]
    assert (counted[["visits", "meetings", "other"]].sum(axis=1) == counted["engagements"]).all()
    usa = frame[(frame["target"] == "USA") & (frame["year"] == 2015)].iloc[0]
    assert usa["visits"] >= 1 and usa["engagements"] >= 10
    assert frame.loc[frame["year"] >= 2017, "flags"].dropna().str.startswith("fewer_records").all()
    zero = frame[(frame["engagements"] == 0)].iloc[0]
    assert zero["source_row"].startswith("no engagement")


def test_investment_stock_is_cumulative_since_2005(frame, snapshot):
    deals = pd.read_csv(snapshot.path(cle.INVESTMENTS), encoding="utf-8-sig")
    assert len(deals) == 2908
    pak = frame[frame["target"] == "PAK"].set_index("year")
    total = deals.loc[deals["Country"] == "Pakistan", "Quantity in Millions"].sum()
    assert pak.loc[2018, "investment_stock"] == pytest.approx(total)
    assert pak.loc[2010, "investment_stock"] == pytest.approx(pak.loc[2005:2010, "investment_value"].sum())
    assert pak.loc[2018, "flags.investment_stock"].startswith("partial_year")
    assert frame["investment_stock"].dropna().ge(0).all()
    assert frame.groupby("year")["investment_value"].sum().loc[2005:2018].sum() == pytest.approx(
        deals["Quantity in Millions"].sum() - deals.loc[deals["Country"] == "China", "Quantity in Millions"].sum())


def test_bad_amount_names_file_row_and_field(tmp_path):
    snap = fixture_snapshot(tmp_path, {cle.INVESTMENTS: FIXTURES / "china_leader_engagements" / "investments.csv"})
    with pytest.raises(InputError) as err:
        cle.investments(snap, resolver())
    assert (err.value.file, err.value.row, err.value.field) == (cle.INVESTMENTS, 3, "Quantity in Millions")
