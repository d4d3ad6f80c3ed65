"""Stock indicators added for influence v2 beside the existing ones: development finance
over five years (AidData GCDF) and all listed Confucius Institutes (undated flagged)."""

from __future__ import annotations

import pytest
from _new_sources import mirror_snapshot

from sharppower.countries import resolver
from sharppower.sources.connectors import aiddata_gcdf, confucius_institutes


@pytest.fixture(scope="module")
def gcdf(tmp_path_factory):
    return aiddata_gcdf.parse(mirror_snapshot(tmp_path_factory, "aiddata-gcdf"), resolver())


@pytest.fixture(scope="module")
def institutes(tmp_path_factory):
    return confucius_institutes.parse(mirror_snapshot(tmp_path_factory, "confucius-institutes"), resolver())


def test_devfin_stock_sums_the_reported_years_of_the_window(gcdf):
    pak = gcdf[gcdf["target"] == "PAK"].set_index("year")
    assert pak.loc[2019, "total_adj_5yr"] == pytest.approx(pak.loc[2015:2019, "total_adj"].sum())
    assert pak.loc[2002, "flags.total_adj_5yr"].startswith("partial_window")
    # a stock also in years without a commitment row of their own, from the window's rows
    gap = gcdf[gcdf["total_adj"].isna()]
    assert len(gap) > 0 and gap["total_adj_5yr"].notna().all()
    assert gap["flags.total_adj_5yr"].str.startswith("partial_window").all()
    assert (gcdf[gcdf["year"] == 2021]["total_adj_5yr"].notna().sum()
            > gcdf[gcdf["year"] == 2021]["total_adj"].notna().sum())


def test_confucius_stock_counts_all_listed_and_keeps_existing_values(institutes):
    y2021 = institutes[institutes["year"] == 2021].set_index("target")
    assert y2021["institutes_all"].sum() > y2021["institutes_open"].sum()
    assert (y2021["institutes_all"] >= y2021["institutes_open"].fillna(0)).all()
    gbr = y2021.loc["GBR"]
    assert (gbr["institutes_open"], gbr["institutes_all"]) == (15, 29)
    assert gbr["flags.institutes_all"] == ("undated_included: 14 institutes without opening date "
                                           "counted from 2004")
    assert gbr["flags"].startswith("undercount")        # the existing indicator, unchanged
    assert y2021["institutes_all"].notna().sum() == 148
