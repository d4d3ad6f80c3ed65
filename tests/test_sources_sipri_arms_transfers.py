"""SIPRI arms transfers connector: TIV from China and Russia per recipient-year, shares,
5-year window, zeros for covered recipients, skips; loading on both backends, idempotent."""

from __future__ import annotations

import pandas as pd
import pytest
from _new_sources import FIXTURES, fixture_snapshot, mirror_snapshot

from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.errors import InputError
from sharppower.sources.connectors import sipri_arms_transfers as sipri
from sharppower.sources.load import LoadContext, load_source
from sharppower.sources.registry import SOURCES


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    return mirror_snapshot(tmp_path_factory, "sipri-arms-transfers")


@pytest.fixture(scope="module")
def frame(snapshot):
    return sipri.parse(snapshot, resolver())


def row(df, target, actor, year):
    return df[(df["target"] == target) & (df["actor"] == actor) & (df["year"] == year)].iloc[0]


def test_totals_match_the_register(frame):
    chn, rus = frame[frame["actor"] == "CHN"], frame[frame["actor"] == "RUS"]
    by_chn = chn.groupby("target")["tiv_from_actor"].sum()
    by_rus = rus.groupby("target")["tiv_from_actor"].sum()
    assert by_chn.idxmax() == "PAK" and by_chn["PAK"] == pytest.approx(12833.01)
    assert by_rus.idxmax() == "IND" and by_rus["IND"] == pytest.approx(37933.69)
    assert list(by_chn.nlargest(3).index) == ["PAK", "BGD", "MMR"]
    assert (by_chn > 0).sum() >= 75 and (by_rus > 0).sum() >= 85   # SIPRI: 81 and 97 incl. non-states
    assert set(frame["year"]) == set(range(2000, 2024))


def test_shares_windows_and_zeros(frame):
    pak = frame[(frame["target"] == "PAK") & (frame["actor"] == "CHN")].set_index("year")
    window = pak.loc[2017:2021]
    assert pak.loc[2021, "tiv_from_actor_5yr"] == pytest.approx(window["tiv_from_actor"].sum())
    assert pak.loc[2021, "share_from_actor_5yr"] == pytest.approx(
        window["tiv_from_actor"].sum() / window["tiv_total"].sum())
    assert pak.loc[2021, "share_from_actor_5yr"] > 0.5
    assert pak.loc[2001, "flags.share_from_actor_5yr"].startswith("partial_window")
    assert pd.isna(pak.loc[2004, "flags.share_from_actor_5yr"])
    # a covered recipient without deliveries from the actor in a year: 0, with its reference
    zero = frame[(frame["tiv_from_actor"] == 0) & (frame["tiv_total"] == 0)].iloc[0]
    assert pd.isna(zero["share_from_actor"]) and zero["source_row"].startswith("no delivery")
    assert not (frame["target"] == frame["actor"]).any()


def test_non_states_are_skipped_with_a_reason(frame):
    warnings = "\n".join(frame.attrs["warnings"])
    assert "'NATO**'" in warnings and "international organisation" in warnings
    assert "'Hezbollah (Lebanon)*'" in warnings and "unknown recipient(s)" in warnings
    assert row(frame, "LBY", "RUS", 2019)["tiv_total"] >= 0   # Libya GNC counts as Libya


def test_bad_value_and_cut_off_file_name_file_row_and_field(tmp_path):
    snap = fixture_snapshot(tmp_path, {sipri.FILE: FIXTURES / "sipri_arms_transfers" / "register.csv"})
    with pytest.raises(InputError) as err:
        sipri.parse(snap, resolver())
    assert (err.value.file, err.value.row, err.value.field) == (sipri.FILE, 9, "TIV delivery values")
    snap = fixture_snapshot(tmp_path, {sipri.FILE: FIXTURES / "sipri_arms_transfers" / "cut_off.csv"})
    with pytest.raises(InputError) as err:
        sipri.parse(snap, resolver())
    assert (err.value.row, err.value.field) == (4, "Delivery year is estimate")


def test_load_is_traceable_and_idempotent(snapshot, db):
    source, codebook = SOURCES["sipri-arms-transfers"], load_codebook()
    first = load_source(LoadContext(db, codebook, resolver()), source, snapshot)
    query = ("SELECT id, actor, target, year, indicator, value, source_row, flags FROM observations "
             "WHERE source = 'sipri-arms-transfers' ORDER BY id")
    before = db.read(query)
    assert first.status == "loaded" and len(before) == first.rows
    assert set(before["indicator"]) == set(codebook.for_source(source.name)["code"])
    share = before[(before["indicator"] == "exp_arms_share_5yr") & (before["target"] == "PAK")
                   & (before["actor"] == "CHN") & (before["year"] == 2021)]
    assert len(share) == 1 and share["value"].iloc[0] > 0.5
    again = load_source(LoadContext(db, codebook, resolver()), source, snapshot)
    assert again.status == "unchanged"
    pd.testing.assert_frame_equal(db.read(query), before)
    forced = load_source(LoadContext(db, codebook, resolver(), force=True), source, snapshot)
    assert forced.rows == first.rows
    pd.testing.assert_frame_equal(db.read(query).drop(columns="id"), before.drop(columns="id"))


def test_every_declared_actor_that_supplied_arms_gets_rows(tmp_path_factory):
    """Iran and the United States (declared in the codebook) from the same register: the
    United States' five-year deliveries to Japan, summed by hand from the register."""
    sp = sipri
    snapshot = mirror_snapshot(tmp_path_factory, "sipri-arms-transfers")
    df = sp.parse(snapshot, resolver())
    register = sp.read_register(snapshot.path(sp.FILE))
    deals = register[(register["Supplier"] == "United States") & (register["Recipient"] == "Japan")
                     & register["Delivery year"].astype(int).between(2016, 2020)]
    by_hand = sum(float(v) for v in deals["TIV delivery values"])
    row = df[(df["actor"] == "USA") & (df["target"] == "JPN") & (df["year"] == 2020)].iloc[0]
    assert row["tiv_from_actor_5yr"] == pytest.approx(by_hand) and by_hand > 1000
    assert 0.9 < row["share_from_actor_5yr"] <= 1
    syria = df[(df["actor"] == "IRN") & (df["target"] == "SYR") & (df["year"] == 2020)].iloc[0]
    assert syria["tiv_from_actor_5yr"] > 0
    assert set(df["actor"]) == {"CHN", "RUS", "IRN", "USA"}
    assert df[["share_from_actor", "share_from_actor_5yr"]].max().max() <= 1
