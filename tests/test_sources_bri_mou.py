"""BRI MoU connector: membership by year from signing to exit, date precision, undated rows."""

from __future__ import annotations

import pytest
from _new_sources import FIXTURES, fixture_snapshot, mirror_snapshot

from sharppower.countries import resolver
from sharppower.errors import InputError
from sharppower.sources.connectors import bri_mou


@pytest.fixture(scope="module")
def frame(tmp_path_factory):
    return bri_mou.parse(mirror_snapshot(tmp_path_factory, "bri-mou"), resolver())


def member(df, target):
    return df[df["target"] == target].set_index("year")["bri_member"].to_dict()


def test_membership_from_signing_to_exit(frame):
    assert frame["target"].nunique() == 151 and "CHN" not in set(frame["target"])   # 152 rows incl. China
    italy = member(frame, "ITA")
    assert [italy[y] for y in (2018, 2019, 2022, 2023, 2025)] == [0, 1, 1, 0, 0]
    panama = member(frame, "PAN")
    assert [panama[y] for y in (2016, 2017, 2024, 2025)] == [0, 1, 1, 0]
    assert frame[frame["year"] == 2018]["bri_member"].sum() > 100   # 63 signed in 2018 alone


def test_date_precision_and_undated_countries(frame):
    pak = frame[frame["target"] == "PAK"].iloc[0]["note"]
    assert "2013-12-01 (placeholder precision" in pak
    dza = frame[frame["target"] == "DZA"].iloc[0]["note"]
    assert "2018-07-10 (day precision" in dza
    austria = frame[frame["target"] == "AUT"]
    assert austria["year"].tolist() == [2025] and austria["flags"].iloc[0].startswith("undated")


def test_bad_dates_name_file_row_and_field(tmp_path):
    snap = fixture_snapshot(tmp_path, {bri_mou.FILE: FIXTURES / "bri_mou" / "bad_date.csv"})
    with pytest.raises(InputError) as err:
        bri_mou.parse(snap, resolver())
    assert (err.value.file, err.value.row, err.value.field) == (bri_mou.FILE, 4, "mou")
    snap = fixture_snapshot(tmp_path, {bri_mou.FILE: FIXTURES / "bri_mou" / "exit_before_mou.csv"})
    with pytest.raises(InputError) as err:
        bri_mou.parse(snap, resolver())
    assert (err.value.row, err.value.field) == (2, "exit")
