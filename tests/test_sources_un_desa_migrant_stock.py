"""UN DESA migrant stock (the gdiviz R object `stocks`, as published): actor-born persons in
the target and their share of the target's migrants (per 1,000, unknown origins in the
total); only the `Total` rows; the Channel Islands left out with a warning; errors name
file, row (of the R data frame) and field; the SOURCE.md spot checks on the mirror;
loading on both backends. The fixtures are small tables we wrote (CSV), saved by the tests
as the published R object."""

from __future__ import annotations

import pandas as pd
import pyreadr
import pytest
from _new_sources import FIXTURES, fixture_snapshot, mirror_snapshot

from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.errors import InputError
from sharppower.sources.connectors import un_desa_migrant_stock as desa
from sharppower.sources.load import LoadContext, load_source
from sharppower.sources.registry import SOURCES

HERE = FIXTURES / "un_desa_migrant_stock"


def _published(tmp_path, name: str):
    """The fixture table saved as gdiviz publishes it: R object `stocks` (from, to, sex, t,
    v), the `Total` rows in the table's order, then a `Female` row the connector skips."""
    table = pd.read_csv(HERE / name, dtype=str, keep_default_na=False)
    stocks = pd.DataFrame({"from": table["origin_iso3"], "to": table["destination_iso3"],
                           "sex": "Total", "t": pd.to_numeric(table["year"]),
                           "v": pd.to_numeric(table["migrant_stock"], errors="coerce")})
    female = pd.DataFrame({"from": ["CHN"], "to": ["AUS"], "sex": ["Female"], "t": [2020],
                           "v": [350000.0]})
    out = tmp_path / "published"
    out.mkdir(exist_ok=True)
    pyreadr.write_rdata(str(out / desa.FILE), pd.concat([stocks, female], ignore_index=True),
                        df_name="stocks")
    return fixture_snapshot(tmp_path, {desa.FILE: out / desa.FILE})


def _at(frame, actor, target, year):
    hit = frame[(frame["actor"] == actor) & (frame["target"] == target) & (frame["year"] == year)]
    assert len(hit) == 1, (actor, target, year)
    return hit.iloc[0]


def test_persons_and_share_of_the_target_migrants(tmp_path):
    frame = desa.parse(_published(tmp_path, "stocks.csv"), resolver(), actors=("CHN", "RUS"))
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
    for name, row, field in (("bad_stock.csv", 9, "migrant_stock"),  # R row = CSV line - 1
                             ("bad_code.csv", 10, "origin_iso3")):
        snap = _published(tmp_path, name)
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
