"""Context-source connectors: parsing of each published file (shape and known values),
loading with provenance, idempotent reload, rollback on corrupted files, checksum refusal.

Store tests use the `db` fixture, so they run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.errors import ChecksumChanged, InputError
from sharppower.sources import load as load_mod
from sharppower.sources.load import LoadContext, load_source
from sharppower.sources.registry import SOURCES
from sharppower.sources.snapshot import PROVENANCE, open_snapshot, pull

CONTEXT = ["freedom-house", "vdem", "wgi", "aiddata-gcdf", "confucius-institutes", "cow-trade",
           "aiddata-public-diplomacy"]


def snap(conf, name):
    return pull(conf, SOURCES[name])[0]


_PARSED: dict[str, pd.DataFrame] = {}


def parsed(conf, name):
    """The parsed mirror copy of a source (parsed once per test session, copied per use)."""
    if name not in _PARSED:
        _PARSED[name] = SOURCES[name].parse(snap(conf, name), resolver())
    frame = _PARSED[name].copy()
    frame.attrs["warnings"] = list(_PARSED[name].attrs["warnings"])
    return frame


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- registry ------------------------------------------------------------------------------

def test_context_sources_are_registered_with_provenance():
    for name in CONTEXT:
        s = SOURCES[name]
        assert s.licence and s.citation and s.coverage and s.homepage.startswith("https://")
        assert s.files and all(f.url.startswith("https://") and f.mirror for f in s.files)
        assert s.parse is not None


def test_codebook_variables_of_each_source_are_parsed(mirror, conf):
    codebook = load_codebook()
    for name in CONTEXT:
        frame = parsed(conf, name)
        wanted = set(codebook.for_source(name)["variable"].dropna())
        assert wanted and wanted <= set(frame.columns), name
        assert frame["source_row"].notna().all() and frame["source_file"].notna().all()


# -- parsing: shape and known values --------------------------------------------------------

def test_freedom_house_edition_is_stored_under_observation_year(mirror, conf):
    df = parsed(conf, "freedom-house")
    assert (df["year"] == df["Edition"] - 1).all()
    assert set(df["year"]) == set(range(2012, 2024))
    china = df[(df["target"] == "CHN") & (df["Edition"] == 2024)].iloc[0]
    assert (china["year"], china["Total"], china["Status"], china["PR"], china["CL"]) == (
        2023, 9, "NF", -2, 11)
    assert china["source_row"].startswith("FIW13-24!row ")
    rus = df[(df["target"] == "RUS") & (df["year"] == 2023)].iloc[0]
    hun = df[(df["target"] == "HUN") & (df["year"] == 2023)].iloc[0]
    assert (rus["Total"], rus["Status"], hun["Total"], hun["Status"]) == (13, "NF", 65, "PF")
    # sub-scores add up: PR = A + B + C + Add A (to 2017) - Add Q; CL = D..G; Total = PR + CL
    assert (df["A"] + df["B"] + df["C"] + df["Add A"].fillna(0) - df["Add Q"] == df["PR"]).all()
    assert (df["D"] + df["E"] + df["F"] + df["G"] == df["CL"]).all()
    assert (df["PR"] + df["CL"] == df["Total"]).all()
    assert df.loc[df["Edition"] >= 2018, "Add A"].isna().all()


def test_freedom_house_territories_skipped_explicitly(mirror, conf):
    df = parsed(conf, "freedom-house")
    warnings = " ".join(df.attrs["warnings"])
    for name in ("Tibet", "Crimea", "Abkhazia", "Gaza Strip"):
        assert f"skipped '{name}'" in warnings
    assert {"HKG", "PRI", "ESH"} <= set(df["target"])  # territories with an ISO code stay
    assert not df.duplicated(["target", "year"]).any()
    assert df["target"].nunique() == 198


def test_vdem_by_variable_name(mirror, conf):
    df = parsed(conf, "vdem")
    assert set(df["year"]) == set(range(2000, 2024))
    assert df["target"].nunique() == 176  # 179 units less Gaza, Somaliland, Zanzibar
    mex = df[(df["target"] == "MEX") & (df["year"] == 2000)].iloc[0]
    assert (mex["v2x_corr"], mex["v2mecenefm"], mex["v2clacfree"]) == (0.554, 0.723, 2.046)
    assert df[df["country_name"] == "Palestine/West Bank"]["target"].unique().tolist() == ["PSE"]


def test_vdem_reads_the_published_zip_by_variable_name(mirror, conf, tmp_path):
    """The canonical file is V-Dem's full CSV inside a zip; the parser reads it by name."""
    import zipfile

    src = mirror / "vdem/vdem_v14_core_2000_2023.csv"
    fake = tmp_path / "mirror" / "vdem"
    fake.mkdir(parents=True)
    with zipfile.ZipFile(fake / "vdem_v14_core_2000_2023.csv", "w") as zf:
        zf.writestr("V-Dem-CY-Full+Others-v14.csv", src.read_text("utf-8"))
        zf.writestr("codebook.txt", "not data")
    s = pull(replace(conf, mirror=tmp_path / "mirror", data_dir=tmp_path / "d"), SOURCES["vdem"])[0]
    df = SOURCES["vdem"].parse(s, resolver())
    assert len(df) == len(parsed(conf, "vdem"))


def test_wgi_legacy_codes_recoded(mirror, conf):
    df = parsed(conf, "wgi")
    assert not set(df["target"]) & {"ROM", "ZAR", "TMP", "ADO", "WBG", "KSV"}
    codes = df.groupby("iso3")["target"].first()
    assert codes[["ROM", "ZAR", "TMP", "ADO", "WBG", "KSV", "ANT"]].tolist() == [
        "ROU", "COD", "TLS", "AND", "PSE", "XKX", "ANT"]
    assert set(df["year"]) == {1996, 1998, 2000, *range(2002, 2020)}
    abw = df[(df["target"] == "ABW") & (df["year"] == 2004)].iloc[0]
    assert abw["wgi_cc"] == pytest.approx(1.18447196483612)


def test_wgi_long_layout_gives_standard_errors(tmp_path):
    """The published long CSV (latin-1, R row index first) pivots to the same variables."""
    from sharppower.sources.snapshot import Snapshot

    rows = [('"","Country/Territory","Code","Year","Estimate","Lower","NumSrc","Rank","StdErr",'
            '"Upper","Indicator"')]
    for i, (ind, est, se) in enumerate([("ControlofCorruption", -0.5, 0.2),
                                        ("RuleofLaw", 0.1, 0.15)]):
        rows.append(f'"{i}","Côte d\'Ivoire","CIV",2019,{est},0,9,40,{se},60,"{ind}"')
    rows.append('"2","Romania","ROM",2019,0.3,0,9,40,0.1,60,"ControlofCorruption"')
    (tmp_path / "wgi_estimates_wide_1996_2019.csv").write_bytes("\n".join(rows).encode("latin-1"))
    df = SOURCES["wgi"].parse(Snapshot("wgi", tmp_path, {}), resolver())
    civ = df[df["target"] == "CIV"].iloc[0]
    assert (civ["wgi_cc"], civ["se.wgi_cc"], civ["wgi_rl"], civ["se.wgi_rl"]) == (-0.5, 0.2, 0.1, 0.15)
    assert pd.isna(civ["wgi_va"])
    assert df[df["target"] == "ROU"]["wgi_cc"].tolist() == [0.3]
    obs = load_mod.observations_from_frame(df, load_codebook(), "wgi")
    cc = obs[(obs["indicator"] == "res_wgi_corruption") & (obs["target"] == "CIV")].iloc[0]
    assert (cc["value"], cc["se"], cc["source_row"]) == (-0.5, 0.2, "2")


def test_gcdf_top_recipients_and_total(mirror, conf):
    df = parsed(conf, "aiddata-gcdf")
    assert (df["actor"] == "CHN").all()
    assert df["target"].nunique() == 138 and set(df["year"]) == set(range(2000, 2022))
    totals = df.groupby("target")["total_adj"].sum() / 1000  # billion USD
    top = totals.sort_values(ascending=False).head(5).round()
    assert top.to_dict() == {"RUS": 169, "VEN": 113, "PAK": 70, "AGO": 65, "KAZ": 64}
    assert df["total_adj"].sum() / 1e6 == pytest.approx(1.325, abs=0.001)  # trillion USD


def test_gcdf_published_layout_resolves_cow_codes(mirror, conf, tmp_path):
    """The published country-year file has COW codes only (no iso3, no total_adj)."""
    from sharppower.countries import CountryResolver
    from sharppower.sources.snapshot import Snapshot

    df = pd.read_csv(mirror / "aiddata_gcdf/gcdf3_country_year_iso3.csv", dtype=str)
    df.drop(columns=["iso3", "country", "total_adj"]).to_csv(
        tmp_path / "gcdf3_country_year_iso3.csv", index=False)
    shutil.copyfile(mirror / "cow_trade/cow_states_lookup.csv", tmp_path / "cow_states_lookup.csv")
    published = SOURCES["aiddata-gcdf"].parse(Snapshot("g", tmp_path, {}), CountryResolver())
    ours = parsed(conf, "aiddata-gcdf")
    key = ["target", "year", "total_adj", "total_adj_3yr"]
    pd.testing.assert_frame_equal(published[key].sort_values(key[:2]).reset_index(drop=True),
                                  ours[key].sort_values(key[:2]).reset_index(drop=True))


def test_gcdf_missing_years_are_not_zero_and_3yr_sum(mirror, conf):
    df = parsed(conf, "aiddata-gcdf")
    by = df.set_index(["target", "year"]).sort_index()
    assert len(df) < 138 * 22  # absent recipient-years stay absent, not filled with 0
    ago = by.loc["AGO"]
    assert ago.loc[2002, "total_adj_3yr"] == pytest.approx(ago.loc[2000:2002, "total_adj"].sum())
    assert pd.isna(ago.loc[2002, "flags.total_adj_3yr"])
    assert ago.loc[2001, "flags.total_adj_3yr"].startswith("partial_window")
    # rows of a recipient-year with commitments (the 5-year stock adds rows without them)
    present = set(by.index[by["total_adj"].notna()])
    assert by.loc[by["total_adj"].isna(), "total_adj_3yr"].isna().all()
    after_gap = [(t, y) for t, y in present if y >= 2002 and (t, y - 1) not in present]
    assert after_gap
    for t, y in after_gap:
        assert by.loc[(t, y), "flags.total_adj_3yr"].startswith("partial_window")
        window = [by.loc[(t, k), "total_adj"] for k in (y - 2, y) if (t, k) in present]
        assert by.loc[(t, y), "total_adj_3yr"] == pytest.approx(sum(window))


def test_confucius_counts_real_data(mirror, conf):
    df = parsed(conf, "confucius-institutes")
    assert (df["actor"] == "CHN").all() and not df.duplicated(["target", "year"]).any()
    world = pd.read_csv(mirror / "confucius_institutes/confucius_institutes.csv")
    korea_dated = world[(world["country"] == "South Korea") & world["date_est"].notna()]
    kor = df[(df["target"] == "KOR") & (df["year"] == 2021)].iloc[0]
    assert kor["institutes_open"] == len(korea_dated)  # no closures known outside the US
    closing = pd.read_csv(mirror / "confucius_institutes/nas_us_ci_closing_feb2022.csv")
    still = pd.read_csv(mirror / "confucius_institutes/nas_us_ci_open_feb2022.csv")
    us = df[df["target"] == "USA"].set_index("year")["institutes_open"]
    assert us.max() <= len(closing) + len(still)
    assert us.idxmax() in (2014, 2015, 2016) and us[2021] < us[2018] < us.max()
    assert any("US rows not used" in w for w in df.attrs["warnings"])


def _ci_snapshot(tmp_path: Path, world: list[str], closing: list[str], still: list[str]):
    from sharppower.sources.snapshot import Snapshot

    (tmp_path / "confucius_institutes.csv").write_text(
        "id,confucius_institute,date_est,country,status\n" + "\n".join(world) + "\n", "utf-8")
    (tmp_path / "nas_us_ci_closing_feb2022.csv").write_text(
        "n,Institution,Date opened,Date of Decision\n" + "\n".join(closing) + "\n", "utf-8")
    (tmp_path / "nas_us_ci_open_feb2022.csv").write_text(
        "Number,American Institution,Date Started\n" + "\n".join(still) + "\n", "utf-8")
    return Snapshot("confucius-institutes", tmp_path, {})


def test_confucius_rules_on_synthetic_lists(tmp_path):
    snapshot = _ci_snapshot(
        tmp_path,
        world=["1,CI A,7/1/05,Kenya,Closed", "2,CI B,3/2/10,Kenya,Open", "3,CI C,,Kenya,Open",
               "4,CI US,1/1/08,United States,Open"],
        closing=["1,Alpha University,2009-09-29 00:00:00,September 2014",
                 "2,Beta College,1905-07-05 00:00:00,\"Announced Oct. 2019, will close Feb. 2020\"",
                 "3,Gamma University,5/2006,June 30 2022"],
        still=["1,Gamma University (will close June 2022),5/2006", "2,Delta State,2015-01-01 00:00:00"])
    df = SOURCES["confucius-institutes"].parse(snapshot, resolver()).set_index(["target", "year"])
    ken = df.loc["KEN", "institutes_open"]
    assert ken.loc[2005] == 1 and ken.loc[2010] == 2 and ken.loc[2021] == 2  # status ignored
    assert df.loc[("KEN", 2010), "flags"].startswith("undercount: 1")
    us = df.loc["USA", "institutes_open"]
    assert us.index.min() == 2006  # US rows of the worldwide list are not used
    # Alpha 2009-2013 (decision 2014); Beta from 2013 (Excel serial) to 2018; Gamma counted once
    assert us.loc[2008] == 1 and us.loc[2009] == 2 and us.loc[2013] == 3 and us.loc[2014] == 2
    assert us.loc[2015] == 3 and us.loc[2019] == 2 and us.loc[2021] == 2
    assert "Date opened" in " ".join(SOURCES["confucius-institutes"].parse(snapshot).attrs["warnings"])


def test_confucius_bad_date_names_row_and_field(tmp_path):
    snapshot = _ci_snapshot(tmp_path, world=["1,CI A,7/1/05,Kenya,Open"],
                            closing=["1,Alpha,2009,soon"], still=[])
    with pytest.raises(InputError) as err:
        SOURCES["confucius-institutes"].parse(snapshot, resolver())
    assert (err.value.file, err.value.row, err.value.field) == (
        "nas_us_ci_closing_feb2022.csv", 2, "Date of Decision")


def test_cow_shares_computed_from_dyadic_and_national_files(mirror, conf):
    df = parsed(conf, "cow-trade")
    assert set(df["actor"]) == {"CHN", "RUS", "SUN"}
    assert set(df.loc[(df["partner"] == 365) & (df["year"] <= 1922), "actor"]) == {"RUS"}
    assert set(df.loc[(df["partner"] == 365) & df["year"].between(1923, 1991), "actor"]) == {"SUN"}
    assert set(df.loc[(df["partner"] == 365) & (df["year"] >= 1992), "actor"]) == {"RUS"}
    usa = df[(df["target"] == "USA") & (df["actor"] == "RUS") & (df["year"] == 1870)].iloc[0]
    assert usa["share_imports_from_partner"] == pytest.approx(1 / 450)
    # the mirror's own share file (computed independently) agrees wherever both have a value
    ref = pd.read_csv(mirror / "cow_trade/cow_share_trade_with_CHN_RUS.csv")
    ref["partner"] = ref["partner_name"].map({"China": 710, "Russia": 365})
    both = df.merge(ref, on=["ccode", "partner", "year"], suffixes=("", "_ref"))
    assert len(both) == len(df)
    for col in ("share_imports_from_partner", "share_exports_to_partner"):
        ok = both[col].notna() & both[f"{col}_ref"].notna()
        assert ok.sum() > 10000
        assert (both.loc[ok, col] - both.loc[ok, f"{col}_ref"]).abs().max() < 1e-9


def test_cow_shares_above_one_kept_flagged_and_warned(mirror, conf):
    df = parsed(conf, "cow-trade")
    for col in ("share_imports_from_partner", "share_exports_to_partner"):
        above = df[col] > 1
        assert above.any()
        assert df.loc[above, f"flags.{col}"].str.startswith("share_above_1").all()
        assert df.loc[~above, f"flags.{col}"].isna().all()
        assert any(f"{int(above.sum())} {col} values above 1" in w for w in df.attrs["warnings"])
    assert any("Austria-Hungary" in w for w in df.attrs["warnings"])


def test_public_diplomacy_placeholders_and_dropped_years(mirror, conf):
    df = parsed(conf, "aiddata-public-diplomacy")
    assert df["target"].nunique() == 39 and set(df["year"]) == set(range(2000, 2017))
    from sharppower.sources.connectors.aiddata_public_diplomacy import COUNTS

    assert not (df[COUNTS] == 500).any().any()
    afg = df[(df["target"] == "AFG") & (df["year"] == 2000)].iloc[0]
    assert pd.isna(afg["government_visits"]) and pd.isna(afg["journalist_visits"])
    assert afg["flags.military_visits"] == "zero_may_be_missing"
    warnings = " ".join(df.attrs["warnings"])
    assert "placeholder" in warnings and "2017, 2018 dropped" in warnings


# -- loading: provenance, idempotence, rollback -------------------------------------------

def obs_of(db, source):
    return db.read("SELECT id, actor, target, year, indicator, value, se, source_file, source_row, "
                   "flags FROM observations WHERE source = :s ORDER BY id", {"s": source})


def ctx_for(db, force=False, codebook=None):
    return LoadContext(db, codebook or load_codebook(), resolver(), force)


@pytest.mark.parametrize("name", CONTEXT)
def test_load_records_provenance_and_traceable_rows(mirror, conf, db, name):
    snapshot = snap(conf, name)
    result = load_source(ctx_for(db), SOURCES[name], snapshot)
    assert result.status == "loaded" and result.rows > 0
    obs = obs_of(db, name)
    assert len(obs) == result.rows
    assert obs["source_file"].notna().all() and obs["source_row"].notna().all()
    codes = set(load_codebook().for_source(name).dropna(subset=["variable"])["code"])
    assert set(obs["indicator"]) == codes
    row = db.read("SELECT * FROM sources WHERE name = :n", {"n": name}).iloc[0]
    assert row["sha256"] == snapshot.sha256 and row["rows"] == result.rows
    assert row["retrieved_at"] is not None and row["url"] == SOURCES[name].homepage
    files = db.read("SELECT file, url, sha256, bytes FROM snapshot_files WHERE source = :n",
                    {"n": name}).set_index("file")
    for f in SOURCES[name].files:
        assert files.loc[f.name, "sha256"] == sha(mirror / f.mirror)
        assert files.loc[f.name, "url"] == f.url
        assert files.loc[f.name, "bytes"] == (mirror / f.mirror).stat().st_size


def test_loaded_values_trace_back_to_source_rows(mirror, conf, db):
    load_source(ctx_for(db), SOURCES["freedom-house"], snap(conf, "freedom-house"))
    china = db.read("SELECT value, source_row FROM observations WHERE indicator = 'res_fh_total' "
                    "AND target = 'CHN' AND year = 2023")
    assert china["value"].tolist() == [9.0]
    row = int(china["source_row"].iloc[0].split("row ")[1])
    sheet = pd.read_excel(mirror / "freedom_house/All_data_FIW_2013-2024.xlsx", sheet_name="FIW13-24",
                          header=None)
    assert sheet.iloc[row - 1, 0] == "China" and sheet.iloc[row - 1, 3] == 2024
    load_source(ctx_for(db), SOURCES["cow-trade"], snap(conf, "cow-trade"))
    share = db.read("SELECT value, source_file, source_row, flags FROM observations WHERE "
                    "indicator = 'exp_export_share' AND flags IS NOT NULL")
    assert len(share) > 0 and share["value"].gt(1).all()
    assert json.loads(share["flags"].iloc[0])[0].startswith("share_above_1")
    assert share["source_file"].iloc[0] == ("cow_dyadic_trade_partner_CHN_RUS.csv; "
                                            "cow_national_trade_totals.csv")


def test_reload_is_idempotent_and_force_gives_same_content(mirror, conf, db):
    source, snapshot = SOURCES["wgi"], snap(conf, "wgi")
    first = load_source(ctx_for(db), source, snapshot)
    before = obs_of(db, "wgi")
    loaded_at = db.scalar("SELECT loaded_at FROM sources WHERE name = 'wgi'")
    again = load_source(ctx_for(db), source, snapshot)
    assert again.status == "unchanged"
    pd.testing.assert_frame_equal(obs_of(db, "wgi"), before)  # same rows, same ids
    assert db.scalar("SELECT loaded_at FROM sources WHERE name = 'wgi'") == loaded_at
    forced = load_source(ctx_for(db, force=True), source, snapshot)
    assert forced.status == "loaded" and forced.rows == first.rows
    after = obs_of(db, "wgi")
    pd.testing.assert_frame_equal(after.drop(columns="id"), before.drop(columns="id"))


def test_codebook_change_reloads_an_unchanged_snapshot(mirror, conf, db):
    source, snapshot = SOURCES["wgi"], snap(conf, "wgi")
    load_source(ctx_for(db), source, snapshot)
    codebook = load_codebook()
    fewer = replace(codebook, indicators=codebook.indicators[codebook.indicators["code"]
                                                             != "res_wgi_voice"])
    result = load_source(ctx_for(db, codebook=fewer), source, snapshot)
    assert result.status == "loaded"
    assert db.scalar("SELECT COUNT(*) FROM observations WHERE indicator = 'res_wgi_voice'") == 0
    assert load_source(ctx_for(db, codebook=fewer), source, snapshot).status == "unchanged"


def _corrupt_pull(conf, tmp_path, name, mangle):
    """Copy the source's mirror files to a temporary mirror, mangle one, pull it as an update."""
    fake = tmp_path / "corrupt-mirror"
    for f in SOURCES[name].files:
        dest = fake / f.mirror
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(conf.mirror / f.mirror, dest)
    mangle(fake / SOURCES[name].files[0].mirror)
    return pull(replace(conf, mirror=fake), SOURCES[name], update=True)[0]


def _drop_column(column):
    def mangle(path: Path):
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        df.drop(columns=column).to_csv(path, index=False)
    return mangle


def _set_cell(row, column, value):
    def mangle(path: Path):
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        df.loc[row - 2, column] = value
        df.to_csv(path, index=False)
    return mangle


def _cut_off(path: Path):
    """End the file in the middle of a row, as an interrupted download does."""
    data = path.read_bytes()
    half = data.index(b",", len(data) // 2) if not data.startswith(b"PK") else len(data) // 2
    path.write_bytes(data[: half + 1])


@pytest.mark.parametrize("name, mangle, row, field", [
    ("wgi", _drop_column("wgi_cc"), 1, "wgi_cc"),
    ("wgi", _set_cell(17, "wgi_rl", "1,2x"), 17, "wgi_rl"),
    ("wgi", _cut_off, None, None),
    ("aiddata-public-diplomacy", _set_cell(40, "year", "20O5"), 40, "year"),
    ("aiddata-gcdf", _set_cell(100, "oda_adj", "n.a."), 100, "oda_adj"),
    ("cow-trade", _drop_column("exports_to_partner"), 1, "exports_to_partner"),
])
def test_corrupted_file_is_refused_and_store_unchanged(mirror, conf, db, tmp_path, name, mangle,
                                                       row, field):
    good = snap(conf, name)
    load_source(ctx_for(db), SOURCES[name], good)
    before = obs_of(db, name)
    sha_before = db.scalar("SELECT sha256 FROM sources WHERE name = :n", {"n": name})
    kept = (good.dir / SOURCES[name].files[0].name).read_bytes()
    with pytest.raises(InputError) as err:  # `pull --update` validates before replacing
        _corrupt_pull(conf, tmp_path, name, mangle)
    assert (good.dir / SOURCES[name].files[0].name).read_bytes() == kept
    assert err.value.file == SOURCES[name].files[0].name
    if row is None:  # cut off: the last, partial row is named with the field it lacks
        bad_file = tmp_path / "corrupt-mirror" / SOURCES[name].files[0].mirror
        lines = bad_file.read_text("utf-8").splitlines()
        assert err.value.row == len(lines) and err.value.field
    else:
        assert (err.value.row, err.value.field) == (row, field)
    assert str(err.value).startswith(f"{err.value.file}, row {err.value.row}")
    pd.testing.assert_frame_equal(obs_of(db, name), before)
    assert db.scalar("SELECT sha256 FROM sources WHERE name = :n", {"n": name}) == sha_before


def test_corrupted_workbook_is_refused(mirror, conf, db, tmp_path):
    import openpyxl

    load_source(ctx_for(db), SOURCES["freedom-house"], snap(conf, "freedom-house"))
    before = obs_of(db, "freedom-house")

    def mangle(path: Path):
        book = openpyxl.load_workbook(path)
        book["FIW13-24"]["AR39"] = "nine"  # China, edition 2024, column Total
        book.save(path)

    with pytest.raises(InputError) as err:  # `pull --update` validates before replacing
        _corrupt_pull(conf, tmp_path, "freedom-house", mangle)
    assert (err.value.row, err.value.field) == (39, "Total")
    assert "FIW13-24" in err.value.file
    with pytest.raises(InputError, match="cut off or corrupted"):
        _corrupt_pull(conf, tmp_path / "t", "freedom-house", _cut_off)
    load_source(ctx_for(db), SOURCES["freedom-house"], snap(conf, "freedom-house"))
    pd.testing.assert_frame_equal(obs_of(db, "freedom-house"), before)


def test_failure_inside_the_transaction_rolls_back(mirror, conf, db, monkeypatch):
    source = SOURCES["aiddata-public-diplomacy"]
    load_source(ctx_for(db), source, snap(conf, "aiddata-public-diplomacy"))
    before = obs_of(db, source.name)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(load_mod, "record_source", broken)
    with pytest.raises(RuntimeError):  # observations were already replaced when this fails
        load_source(ctx_for(db, force=True), source, snap(conf, "aiddata-public-diplomacy"))
    pd.testing.assert_frame_equal(obs_of(db, source.name), before)


# -- pull: snapshots, provenance, checksum refusal -----------------------------------------

def test_pull_records_provenance(mirror, conf):
    snapshot, changed = pull(conf, SOURCES["cow-trade"])
    assert sorted(changed) == sorted(f.name for f in SOURCES["cow-trade"].files)
    record = json.loads((snapshot.dir / PROVENANCE).read_text("utf-8"))
    for f in SOURCES["cow-trade"].files:
        meta = record["files"][f.name]
        assert meta["sha256"] == sha(mirror / f.mirror) == sha(snapshot.path(f.name))
        assert meta["url"] == f.url and meta["retrieved_at"] and meta["via"] == f"mirror:{f.mirror}"
    again, changed = pull(conf, SOURCES["cow-trade"])
    assert changed == [] and again.sha256 == snapshot.sha256


def test_pull_refuses_changed_checksum_unless_update(mirror, conf, tmp_path):
    source = SOURCES["wgi"]
    original, _ = pull(conf, source)
    record = (original.dir / PROVENANCE).read_text("utf-8")
    stored = original.path(source.files[0].name)
    stored_sha = sha(stored)
    fake = tmp_path / "newer-mirror"
    (fake / "wgi").mkdir(parents=True)
    text = (mirror / source.files[0].mirror).read_text("utf-8")
    (fake / source.files[0].mirror).write_text(text.replace("1.18447196483612", "1.2"), "utf-8")
    newer = replace(conf, mirror=fake)
    with pytest.raises(ChecksumChanged, match="--update"):
        pull(newer, source)
    assert sha(stored) == stored_sha  # snapshot untouched
    assert (original.dir / PROVENANCE).read_text("utf-8") == record
    assert open_snapshot(conf, source).sha256 == original.sha256
    updated, changed = pull(newer, source, update=True)
    assert changed == [source.files[0].name]
    assert sha(stored) == sha(fake / source.files[0].mirror) != stored_sha
    assert updated.sha256 != original.sha256
