"""Issue 24, finding 8: a 'nan' (or inf) in a column a connector sums used to load and
change the totals without a word (pandas skips NaN in a sum). Each connector that sums
reads those columns with readers.amounts: only the source's own spelling of "no value"
(an empty cell, COW's -9) is missing, anything not finite is refused naming the file, the
row and the field, and a refused load leaves the store as it was. Corrupted copies of
the mirror's files, one cell changed."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from test_sources import _corrupt_pull, ctx_for, obs_of, snap

from sharppower.countries import resolver
from sharppower.errors import InputError
from sharppower.sources import readers
from sharppower.sources.load import load_source
from sharppower.sources.registry import SOURCES
from sharppower.sources.snapshot import Snapshot


def _copy(mirror: Path, name: str, folder: Path) -> Snapshot:
    folder.mkdir(parents=True, exist_ok=True)
    for f in SOURCES[name].files:
        shutil.copyfile(mirror / f.mirror, folder / f.name)
    return Snapshot(name, folder, {})


def _set(path: Path, column: str, nth: int, value: str) -> int:
    """Put `value` in `column` of the nth data row (1 = first under the header); the
    spreadsheet row (file line) of that cell."""
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8"))))
    header = next(i for i, r in enumerate(rows) if column in r)
    rows[header + nth][rows[header].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), "utf-8")
    return header + nth + 1


CASES = [  # source, file, summed column, data row, value
    ("aiddata-gcdf", "gcdf3_country_year_iso3.csv", "oda_adj", 99, "nan"),
    ("aiddata-gcdf", "gcdf3_country_year_iso3.csv", "oof_adj", 7, "NaN"),
    ("aiddata-gcdf", "gcdf3_country_year_iso3.csv", "vof_adj", 50, "inf"),
    ("aiddata-gcdf", "gcdf3_country_year_iso3.csv", "total_adj", 3, "-Infinity"),
    ("cow-trade", "cow_national_trade_totals.csv", "imports", 40, "nan"),
    ("cow-trade", "cow_dyadic_trade_partner_CHN_RUS.csv", "exports_to_partner", 12, "inf"),
    ("china-leader-engagements", "china_investments_AEI_CGIT.csv", "Quantity in Millions", 5,
     "NaN"),
    ("sipri-arms-transfers", "sipri_trade_register_2000-2030_generated_2025-01-03.csv",
     "TIV delivery values", 10, "nan"),
    ("aiddata-public-diplomacy", "chinese_public_diplomacy_country_year.csv",
     "government_visits", 20, "NaN"),
]


@pytest.mark.parametrize(("name", "file", "column", "nth", "value"), CASES)
def test_a_non_finite_summed_value_is_refused_naming_file_row_and_field(
        mirror, tmp_path, name, file, column, nth, value):
    snapshot = _copy(mirror, name, tmp_path / name)
    row = _set(snapshot.path(file), column, nth, value)
    with pytest.raises(InputError) as err:
        SOURCES[name].parse(snapshot, resolver())
    assert (err.value.file, err.value.row, err.value.field) == (file, row, column)
    assert repr(value) in str(err.value) and "finite" in str(err.value)


def test_the_unchanged_copies_parse(mirror, tmp_path):
    for name in dict.fromkeys(case[0] for case in CASES):
        assert len(SOURCES[name].parse(_copy(mirror, name, tmp_path / name), resolver())) > 0


def test_a_refused_load_leaves_the_totals_as_they_were(mirror, conf, db, tmp_path):
    name = "aiddata-gcdf"
    load_source(ctx_for(db), SOURCES[name], snap(conf, name))
    before = obs_of(db, name)
    rows = []

    def mangle(path: Path) -> None:
        rows.append(_set(path, "oda_adj", 99, "nan"))

    with pytest.raises(InputError) as err:  # `pull --update` parses before it replaces
        _corrupt_pull(conf, tmp_path, name, mangle)
    assert (err.value.row, err.value.field) == (rows[0], "oda_adj")
    pd.testing.assert_frame_equal(obs_of(db, name), before)
    reloaded = load_source(ctx_for(db, force=True), SOURCES[name], snap(conf, name))
    assert reloaded.status == "loaded"
    pd.testing.assert_frame_equal(obs_of(db, name).drop(columns="id"),
                                  before.drop(columns="id"))


def test_amounts_keep_the_sources_own_missing_spelling():
    df = pd.DataFrame({"v": ["1.5", "", "-9", "2"], "_row": [2, 3, 4, 5]})
    typed = readers.amounts(df, ["v"], "f.csv", missing={"", "-9"})
    assert typed["v"].tolist()[0] == 1.5 and typed["v"].isna().tolist() == [False, True, True, False]
    for bad in ("nan", "NA", "n/a", "1e999"):
        with pytest.raises(InputError, match="f.csv, row 3, field 'v'"):
            readers.amounts(df.assign(v=["1", bad, "2", "3"]), ["v"], "f.csv")
    assert readers.numbers(df.assign(v=["1", "NA", "2", "3"]), ["v"], "f.csv")["v"].isna().sum() == 1
