"""UN DESA migrant stock: actor-born persons in the target and their share of the target's
migrants (per 1,000, unknown origins in the total); the Channel Islands left out with a
warning; errors name file, row and field; the SOURCE.md spot checks on the mirror;
loading on both backends."""

from __future__ import annotations

import pytest
from _new_sources import FIXTURES, fixture_snapshot, mirror_snapshot

from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.errors import InputError
from sharppower.sources.connectors import un_desa_migrant_stock as desa
from sharppower.sources.load import LoadContext, load_source
from sharppower.sources.registry import SOURCES

HERE = FIXTURES / "un_desa_migrant_stock"


def _at(frame, actor, target, year):
    hit = frame[(frame["actor"] == actor) & (frame["target"] == target) & (frame["year"] == year)]
    assert len(hit) == 1, (actor, target, year)
    return hit.iloc[0]


def test_persons_and_share_of_the_target_migrants(tmp_path):
    snap = fixture_snapshot(tmp_path, {desa.FILE: HERE / "stocks.csv"})
    frame = desa.parse(snap, resolver(), actors=("CHN", "RUS"))
    aus = _at(frame, "CHN", "AUS", 2020)
    total_2020 = 653232 + 1176996 + 564840 + 16578 + 3100  # every origin, unknown included
    assert aus["persons"] == 653232
    assert aus["per_1000_migrants"] == pytest.approx(1000 * 653232 / total_2020)
    assert _at(frame, "CHN", "AUS", 2015)["per_1000_migrants"] == pytest.approx(
        1000 * 526040 / (526040 + 1207062 + 2898))
    assert _at(frame, "RUS", "KAZ", 2020)["per_1000_migrants"] == pytest.approx(
        1000 * 2476018 / (2476018 + 255600))
    assert _at(frame, "CHN", "HKG", 2020)["per_1000_migrants"] == 1000
    assert len(frame) == 5 and "CHA" not in set(frame["target"])
    assert "destination CHA left out" in " ".join(frame.attrs["warnings"])


def test_bad_rows_name_file_row_and_field(tmp_path):
    for name, row, field in (("bad_stock.csv", 10, "migrant_stock"),
                             ("bad_code.csv", 11, "origin_iso3")):
        snap = fixture_snapshot(tmp_path, {desa.FILE: HERE / name})
        with pytest.raises(InputError) as err:
            desa.parse(snap, resolver(), actors=("CHN",))
        assert (err.value.file, err.value.row, err.value.field) == (desa.FILE, row, field)


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    return mirror_snapshot(tmp_path_factory, "un-desa-migrant-stock")


def test_mirror_spot_checks(mirror):
    """SOURCE.md: China-born abroad 10,461,170 in 2020, Russia-born 10,756,697; China-born in
    Australia 653,232, Canada 699,190, the US 2,184,110; Russia-born in Kazakhstan 2,476,018;
    Taiwan absent."""
    frame = desa.parse(mirror, resolver(), actors=("CHN", "RUS"))
    y2020 = frame[frame["year"] == 2020].groupby("actor")["persons"].sum()
    assert y2020["CHN"] == 10_461_170 and y2020["RUS"] == 10_756_697
    for target, persons in (("AUS", 653_232), ("CAN", 699_190), ("USA", 2_184_110)):
        assert _at(frame, "CHN", target, 2020)["persons"] == persons
    assert _at(frame, "RUS", "KAZ", 2020)["persons"] == 2_476_018
    assert "TWN" not in set(frame["target"])
    assert set(frame["year"]) == {1990, 1995, 2000, 2005, 2010, 2015, 2020}
    share = frame["per_1000_migrants"]
    assert share.dropna().between(0, 1000).all()
    # no share where the target had no migrants at all (Curacao before 2010): persons 0
    assert (frame.loc[share.isna(), "persons"] == 0).all() and share.isna().sum() == 11


def test_load_stores_the_diaspora(mirror, db):
    source, codebook = SOURCES["un-desa-migrant-stock"], load_codebook()
    result = load_source(LoadContext(db, codebook, resolver()), source, mirror)
    assert result.status == "loaded"
    rows = db.read("SELECT indicator, value FROM observations WHERE source = "
                   "'un-desa-migrant-stock' AND actor = 'CHN' AND target = 'AUS' AND year = 2020")
    got = dict(zip(rows["indicator"], rows["value"]))
    assert got["exp_diaspora_persons"] == 653_232 and 50 < got["exp_diaspora"] < 120
