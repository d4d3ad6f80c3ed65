"""GSDB sanctions and China Sanctions Monitor connectors (issue 22): cases expanded over their
years, lists and blocs split, Russia = USSR before 1992, restrictions per nationality from
the xlsm workbook, errors naming file, row and field, and the SOURCE.md spot checks."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest
from _new_sources import FIXTURES, fixture_snapshot, mirror_snapshot

from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.errors import InputError
from sharppower.sources.connectors import china_sanctions_monitor as csm
from sharppower.sources.connectors import coercion
from sharppower.sources.connectors import gsdb_sanctions as gsdb
from sharppower.sources.load import LoadContext, load_source
from sharppower.sources.registry import SOURCES

ACTORS = ("CHN", "RUS", "IRN", "USA")


def pick(df, actor, target, year):
    hit = df[(df["actor"] == actor) & (df["target"] == target) & (df["year"] == year)]
    return hit.iloc[0] if len(hit) == 1 else None


# --- GSDB ----------------------------------------------------------------------------
def test_gsdb_cases_in_force_per_year(tmp_path):
    snap = fixture_snapshot(tmp_path, {gsdb.FILE: FIXTURES / "gsdb" / gsdb.FILE})
    df = gsdb.parse(snap, resolver(), actors=ACTORS)
    # Georgia: two Russian cases 2006-2011, one to 2013, none after
    assert [pick(df, "RUS", "GEO", y)["sanctions_count"] for y in (2006, 2011, 2012, 2013)] == [2, 2, 1, 1]
    assert pick(df, "RUS", "GEO", 2014) is None
    # the Soviet Union's cases are Russia's before 1992, flagged
    china = pick(df, "RUS", "CHN", 1965)
    assert china["sanctions_formal"] == 1 and china["flags.sanctions_formal"].startswith("actor_ussr")
    assert {pick(df, "RUS", t, 1990)["sanctions_count"] for t in ("EST", "LVA", "LTU")} == {1}
    # a case against the EU counts for each member in the year: the UK to 2020, Croatia too
    deu = pick(df, "RUS", "DEU", 2014)
    assert deu["flags.sanctions_count"] == "bloc_target: a case against the EU"
    assert pick(df, "RUS", "GBR", 2020) is not None and pick(df, "RUS", "GBR", 2021) is None
    assert pick(df, "RUS", "LTU", 2021)["sanctions_count"] == 1
    assert pick(df, "CHN", "LTU", 2021)["sanctions_count"] == 1
    # a list of targets is split; "Korea, North" is one name
    assert all(pick(df, "RUS", t, 2016) is not None for t in ("ALB", "MNE", "LIE", "ISL"))
    assert pick(df, "USA", "PRK", 1955)["sanctions_formal"] == 1
    assert pick(df, "USA", "PRK", 2009) is None
    # a bloc as sender (EU, UN) is no actor; the United States in "EU, United States" is
    assert pick(df, "USA", "BLR", 2021)["sanctions_count"] == 1
    assert df.groupby(["actor", "target", "year"]).size().max() == 1
    warnings = "\n".join(df.attrs["warnings"])
    assert "'Terrorist Organizations (ISIL and ANF)'" in warnings
    assert "no rows for declared actor IRN" in warnings
    # only substantive cases: narcotics designations (objective "other" only), a visa ban
    # (travel only) and an "other"-type measure are left out, named in a warning
    assert pick(df, "USA", "CRI", 2015) is None and pick(df, "CHN", "NOR", 2012) is None
    assert pick(df, "USA", "PAK", 2018)["sanctions_count"] == 1  # military aid suspended
    assert pick(df, "USA", "PAK", 2020) is None  # only the visa ban of case 1131
    assert "USA: 2 cases not substantive" in warnings and "879, 1131" in warnings
    assert "CHN: 1 cases not substantive" in warnings and ": 866" in warnings
    rus = df[df["actor"] == "RUS"]
    assert len(rus) == 11 + 3 + 8 + 28 * 7 + 27 * 2 + 4 * 8   # China, Baltics, Georgia, EU, ALB...


def test_gsdb_bad_year_names_file_row_and_field(tmp_path):
    snap = fixture_snapshot(tmp_path, {gsdb.FILE: FIXTURES / "gsdb" / "bad_end.csv"})
    with pytest.raises(InputError) as err:
        gsdb.parse(snap, resolver(), actors=ACTORS)
    assert (err.value.file, err.value.row, err.value.field) == (gsdb.FILE, 8, "end")


@pytest.fixture(scope="module")
def gsdb_snapshot(tmp_path_factory):
    return mirror_snapshot(tmp_path_factory, "gsdb-sanctions")


def test_gsdb_mirror_spot_checks(gsdb_snapshot):
    """SOURCE.md: China -> Norway 2010-2018 (case 867, salmon; 866 is an "other" measure,
    left out), China -> Lithuania 2021-2022 (case 1225), Russia -> Georgia from 2006
    (771/772, to 2013 and 2011), Russia's food embargo 2014-2022 against the EU, US,
    Canada, Norway and Australia. Not substantive, left out: the United States' 2011-2022
    narcotics designations (objective "other": Costa Rica 879, Panama 906) and its visa
    ban on Pakistan (1131, travel only)."""
    df = gsdb.parse(gsdb_snapshot, resolver())
    assert pick(df, "CHN", "NOR", 2010)["sanctions_count"] == 1
    assert "867" in pick(df, "CHN", "NOR", 2010)["source_row"]
    for target in ("CRI", "PAN"):
        assert pick(df, "USA", target, 2015) is None, target
    assert pick(df, "USA", "PAK", 2018) is not None and pick(df, "USA", "PAK", 2021) is None
    assert pick(df, "USA", "IRN", 2020)["sanctions_count"] >= 3  # still Iran, Cuba, Syria...
    assert pick(df, "USA", "CUB", 2020) is not None and pick(df, "USA", "SYR", 2020) is not None
    warnings = "\n".join(df.attrs["warnings"])
    left = re.search(r"USA: (\d+) cases not substantive", warnings)
    assert left and int(left.group(1)) >= 20, warnings
    assert pick(df, "CHN", "NOR", 2018)["sanctions_count"] == 1 and pick(df, "CHN", "NOR", 2019) is None
    assert pick(df, "CHN", "LTU", 2021)["sanctions_formal"] == 1
    assert pick(df, "CHN", "LTU", 2022)["source_row"].find("1225") > 0
    assert pick(df, "RUS", "GEO", 2006)["sanctions_count"] >= 2
    assert pick(df, "RUS", "GEO", 2013) is not None
    for target in ("USA", "CAN", "NOR", "AUS", "DEU", "POL"):
        for year in (2014, 2018, 2022):
            assert pick(df, "RUS", target, year) is not None, (target, year)
    assert pick(df, "RUS", "UKR", 2014) is not None and pick(df, "RUS", "MDA", 2016) is not None
    assert (df[df["year"] <= 1991].query("actor == 'RUS'")["flags.sanctions_formal"]
            .str.startswith("actor_ussr").all())
    assert df["year"].between(1950, 2022).all() and set(df["sanctions_formal"]) == {1.0}


# --- China Sanctions Monitor ----------------------------------------------------------
def workbook(tmp_path, csv_name: str):
    """The fixture rows as the published workbook: sheet "Master Sheet" (dates as dates)."""
    rows = pd.read_csv(FIXTURES / "csm" / csv_name, dtype=str, keep_default_na=False)
    rows[csm.DATE] = pd.to_datetime(rows[csm.DATE])
    path = tmp_path / "book.xlsm"
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        pd.DataFrame({"Total number of sanctions": [len(rows)]}).to_excel(
            xl, sheet_name="Analysis & Graphs", index=False)
        rows.to_excel(xl, sheet_name=csm.SHEET, index=False)
    return fixture_snapshot(tmp_path, {csm.FILE: path})


def test_csm_restrictions_per_nationality_and_year(tmp_path):
    df = csm.parse(workbook(tmp_path, "master_sheet.csv"), resolver())
    assert (df["actor"] == "CHN").all()
    aus = pick(df, "CHN", "AUS", 2020)
    assert (aus["restrictions"], aus["informal"], aus["countersanctions"]) == (2, 1, 0)
    assert aus["source_row"] == "rows 3-4"
    assert pick(df, "CHN", "KOR", 2016)["informal"] == 1
    # the 2021 Xinjiang countersanctions: the UK and Germany, not the EU (no state)
    assert pick(df, "CHN", "GBR", 2021)["countersanctions"] == 1
    assert pick(df, "CHN", "DEU", 2021)["restrictions"] == 1
    assert pick(df, "CHN", "LTU", 2021)["restrictions"] == 1
    assert len(df) == 5 and df["restrictions"].sum() == 6
    warnings = "\n".join(df.attrs["warnings"])
    assert "'European Union' skipped in 1 restrictions (rows 5)" in warnings
    assert "no nationality named" in warnings and "rows 7" in warnings


def test_csm_unknown_nationality_names_sheet_row_and_field(tmp_path):
    with pytest.raises(InputError) as err:
        csm.parse(workbook(tmp_path, "unknown_nationality.csv"), resolver())
    assert (err.value.file, err.value.row, err.value.field) == (
        f"{csm.FILE}!{csm.SHEET}", 6, csm.NATIONALITY)
    assert "Lilliput" in str(err.value)


@pytest.fixture(scope="module")
def csm_snapshot(tmp_path_factory):
    return mirror_snapshot(tmp_path_factory, "china-sanctions-monitor")


def test_csm_mirror_spot_checks(csm_snapshot):
    """SOURCE.md: rows naming each nationality (United States 86, Taiwan 29, Japan 18, South
    Korea 16, Australia 15, Canada 11, Lithuania 11), the first row (Japan, 2010 rare
    earths), Norway's three rows from December 2010, South Korea's THAAD rows from 2016, the
    Philippines 2012; per-nationality totals equal to the CSV extract of the same sheet."""
    df = csm.parse(csm_snapshot, resolver())
    totals = df.groupby("target")["restrictions"].sum()
    expected = {"USA": 86, "TWN": 29, "JPN": 18, "KOR": 16, "AUS": 15, "CAN": 11, "LTU": 11}
    assert {k: totals[k] for k in expected} == expected
    assert list(totals.sort_values(ascending=False).index[:5]) == ["USA", "TWN", "JPN", "KOR", "AUS"]
    assert pick(df, "CHN", "JPN", 2010)["source_row"].startswith("rows 2")
    assert pick(df, "CHN", "NOR", 2010)["restrictions"] >= 1 and totals["NOR"] == 3
    assert pick(df, "CHN", "KOR", 2016)["restrictions"] >= 2
    assert pick(df, "CHN", "PHL", 2012)["restrictions"] == 3
    assert pick(df, "CHN", "AUS", 2020)["restrictions"] > pick(df, "CHN", "AUS", 2019)["restrictions"]
    assert pick(df, "CHN", "LTU", 2021)["restrictions"] > 0 and pick(df, "CHN", "LTU", 2019) is None
    extract = pd.read_csv(_mirror_csv(), dtype=str, keep_default_na=False)
    names = extract[csm.NATIONALITY].str.split(";").explode().str.replace(
        csm.REGION, "", regex=True).str.strip()
    by_name = names[names != ""].map(resolver().resolve).value_counts()
    pd.testing.assert_series_equal(totals.astype(int).sort_index(),
                                   by_name.drop("CHN", errors="ignore").sort_index()
                                   .rename("restrictions").rename_axis("target"),
                                   check_dtype=False)
    assert df["year"].between(2010, 2025).all() and 2015 not in set(df["year"])


def _mirror_csv() -> Path:
    """Our CSV extract of the Master Sheet, beside the workbook in the mirror (a cross-check)."""
    return Path(os.environ["SHARPPOWER_MIRROR"]) / "china_sanctions_monitor" / "csm_master_sheet.csv"


# --- loading --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["gsdb-sanctions", "china-sanctions-monitor"])
def test_load_is_traceable_and_idempotent(name, tmp_path_factory, db):
    snapshot = mirror_snapshot(tmp_path_factory, name)
    source, codebook = SOURCES[name], load_codebook()
    first = load_source(LoadContext(db, codebook, resolver()), source, snapshot)
    query = ("SELECT actor, target, year, indicator, value, source_row FROM observations "
             f"WHERE source = '{name}' ORDER BY actor, target, year, indicator")
    before = db.read(query)
    assert first.status == "loaded" and len(before) == first.rows
    assert set(before["indicator"]) == set(codebook.for_source(name)["code"])
    again = load_source(LoadContext(db, codebook, resolver()), source, snapshot)
    assert again.status == "unchanged"
    pd.testing.assert_frame_equal(db.read(query), before)


# --- the monitor supersedes the coercion cases -----------------------------------------
def test_monitor_supersedes_coercion_cases_in_the_index():
    """The monitor's universe holds every year and target of the coercion cases (2010-2020),
    its indicator enters the pressure pillar, and no pressure indicator read from the
    coercion cases does (it would count the same restrictions twice)."""
    book = load_codebook().indicators.set_index("code")
    universe = SOURCES["china-sanctions-monitor"].universe
    assert universe.targets == "all" and universe.years[0] <= 2010 and universe.years[1] >= 2020
    assert book.loc["prs_coercion_restrictions", "index"] and (
        book.loc["prs_coercion_restrictions", "type"] == "count")
    from_cases = book[(book["source"] == "coercion-cases") & (book["pillar"] == "pressure")]
    assert not from_cases["index"].any(), list(from_cases.index)


def test_monitor_records_most_coercion_cases(csm_snapshot):
    """Three quarters of the coercion cases' country-years have a monitor restriction (the
    rest are mostly threats and detentions, which the Master Sheet does not count)."""
    df = csm.parse(csm_snapshot, resolver())
    cases = coercion.read_table(Path(os.environ["SHARPPOWER_MIRROR"]) / "coercion_cases"
                                / coercion.FILE)
    cases = cases.assign(target=cases["Country"].map(resolver().resolve),
                         year=cases["Year"].astype(int)).dropna(subset=["target"])
    seen = set(zip(df["target"], df["year"]))
    share = pd.Series([(t, y) in seen for t, y in zip(cases["target"], cases["year"])]).mean()
    assert 0.7 <= share <= 0.8 and len(cases) == 99
