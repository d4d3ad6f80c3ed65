"""CANIS state-media accounts: per-country accounts and followers, declared non-country regions."""

from __future__ import annotations

import openpyxl
import pytest
from _new_sources import fixture_snapshot, mirror_snapshot

from sharppower.countries import UnresolvedCountries, resolver
from sharppower.errors import InputError
from sharppower.sources.connectors import prc_state_media_accounts as canis


@pytest.fixture(scope="module")
def frame(tmp_path_factory):
    return canis.parse(mirror_snapshot(tmp_path_factory, "prc-state-media-accounts"), resolver())


def test_accounts_per_country_of_focus(frame):
    accounts = frame.set_index("target")["accounts"]
    assert (accounts["USA"], accounts["JPN"], accounts["PAK"], accounts["IND"]) == (20, 20, 12, 12)
    assert (accounts["GBR"], accounts["KOR"], accounts["COD"], accounts["CZE"]) == (8, 7, 1, 1)
    assert (frame["year"] == 2023).all() and frame["flags"].str.startswith("cross_section_2023").all()
    assert (frame["followers"].dropna() >= 0).all() and frame["followers"].max() > 1e6


def test_every_account_is_counted_or_declared(frame):
    warnings = frame.attrs["warnings"]
    left_out = sum(int(w.split(": ")[1].split(" accounts")[0]) for w in warnings)
    assert left_out + frame["accounts"].sum() == 758
    assert any("Anglosphere" in w and "language sphere" in w for w in warnings)


def _sheet(tmp_path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = canis.SHEET
    sheet.append(["Name (English)", canis.FOCUS, *canis.COUNTS])
    for r in rows:
        sheet.append(r)
    path = tmp_path / "book.xlsx"
    book.save(path)
    return fixture_snapshot(tmp_path, {canis.FILE: path})


def test_unknown_region_and_bad_count_are_errors(tmp_path):
    snap = _sheet(tmp_path, [["CGTN", "USA", 10, None, None, None, None, None],
                             ["X", "Atlantis", 1, None, None, None, None, None]])
    with pytest.raises(UnresolvedCountries) as err:
        canis.parse(snap, resolver())
    assert err.value.items == [("Atlantis", f"{canis.FILE}!{canis.SHEET}", [3])]
    snap = _sheet(tmp_path, [["CGTN", "USA", "many", None, None, None, None, None]])
    with pytest.raises(InputError) as err:
        canis.parse(snap, resolver())
    assert (err.value.row, err.value.field) == (2, "X (Twitter) Follower #")
