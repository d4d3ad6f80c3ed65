"""The country resolver: aliases, legacy and non-standard codes, COW codes by year, skip
list with reasons, errors listing every unknown name, and every name in the mirror."""

from __future__ import annotations

import json

import pandas as pd
import pyreadr
import pytest

from sharppower.countries import (
    HISTORIC_COUNTRIES,
    CountryResolver,
    UnresolvedCountries,
    normalise,
    resolver,
)


@pytest.mark.parametrize("name, iso3", [
    ("Macedonia", "MKD"), ("North Macedonia", "MKD"), ("Macedonia, FYR", "MKD"),
    ("Czechia", "CZE"), ("Czech Republic", "CZE"),
    ("Kosovo", "XKX"), ("XKX", "XKX"), ("KSV", "XKX"), ("KOS", "XKX"),
    ("Bolívia", "BOL"), ("Bolivia (Plurinational State of)", "BOL"),
    ("ROM", "ROU"), ("ZAR", "COD"), ("TMP", "TLS"), ("ADO", "AND"), ("WBG", "PSE"),
    ("PLS", "PSE"), ("Palestinian Territory", "PSE"),
    ("Côte d’Ivoire", "CIV"), ("Cote d'Ivoire", "CIV"), ("Gambia, The", "GMB"),
    ("Korea, Rep.", "KOR"), ("South Korea", "KOR"), ("Korea, Dem. People's Rep.", "PRK"),
    ("Phillippines", "PHL"), ("Myanmar (Burma)", "MMR"), ("Burma/Myanmar", "MMR"),
    ("Türkiye", "TUR"), ("USSR", "SUN"), ("Czechoslovakia", "CSK"), ("ANT", "ANT"),
    ("156", "CHN"), ("643", "RUS"),
])
def test_aliases_and_codes(name, iso3):
    assert resolver().resolve(name) == iso3


def test_normalise_ignores_case_accents_and_punctuation():
    assert normalise("  Bolívia ") == normalise("BOLIVIA") == "bolivia"
    assert normalise("Côte d’Ivoire") == normalise("Cote d'Ivoire") == "cote d ivoire"
    assert resolver().resolve("Atlantis") is None


def test_former_states_have_names_and_regions():
    res = resolver()
    assert res.known("SUN") and res.name("SUN") == "Soviet Union"
    assert HISTORIC_COUNTRIES["YMD"][1:] == ("Asia", "Western Asia")


@pytest.mark.parametrize("ccode, year, iso3", [
    (365, 1950, "SUN"), (365, 1991, "SUN"), (365, 1992, "RUS"), (365, 2014, "RUS"),
    (365, 1900, "RUS"),
    (345, 1990, "YUG"), (345, 2004, "SCG"), (345, 2010, "SRB"),
    (816, 1970, "VDR"), (816, 1980, "VNM"), (817, 1958, "VNM"),
    (255, 1930, "DEU"), (260, 1957, "DEU"), (265, 1980, "DDR"),
    (315, 1980, "CSK"), (316, 1995, "CZE"), (678, 1980, "YEM"), (680, 1980, "YMD"),
    (732, 2000, "KOR"), (731, 2000, "PRK"), (347, 2010, "XKX"),
])
def test_cow_codes_by_year(ccode, year, iso3):
    assert resolver().from_cow(ccode, year) == iso3


def test_cow_skip_has_a_reason():
    res = resolver()
    assert res.from_cow(300, 1900) is None
    assert "Austria-Hungary" in res.cow_skip_reason(300, 1900)


def test_register_cow_uses_names_not_cow_abbreviations():
    res = CountryResolver()
    states = pd.DataFrame({"ccode": [305, 900, 343, 2], "stateabb": ["AUS", "AUL", "MAC", "USA"],
                           "statenme": ["Austria", "Australia", "Macedonia", "United States of America"]})
    res.register_cow(states)
    assert [res.from_cow(c, 2000) for c in (305, 900, 343, 2)] == ["AUT", "AUS", "MKD", "USA"]
    # a declared code keeps its periods: 365 is not overwritten by a states list
    res.register_cow(pd.DataFrame({"ccode": [365], "stateabb": ["RUS"], "statenme": ["Russia"]}))
    assert res.from_cow(365, 1980) == "SUN"


def test_unknown_names_are_listed_with_file_and_rows():
    with pytest.raises(UnresolvedCountries) as err:
        resolver().resolve_column(["France", "Atlantis", "Narnia", "Atlantis", "Kosovo"], "x.csv")
    items = {name: (file, rows) for name, file, rows in err.value.items}
    assert items == {"Atlantis": ("x.csv", [3, 5]), "Narnia": ("x.csv", [4])}
    assert "'Atlantis' in x.csv, rows 3, 5" in str(err.value)
    assert "'Narnia' in x.csv, rows 4" in str(err.value)


def test_resolve_column_explicit_skip():
    out = resolver().resolve_column(["Sweden", "Atlantis"], "x.csv", skip=["Atlantis"])
    assert out.tolist() == ["SWE", None]


def test_resolve_report_skips_listed_names_with_reason_and_rows():
    values, warnings = resolver().resolve_report(["Tibet", "China", "European Union", "Tibet"],
                                                 "f.xlsx", rows=[10, 11, 12, 13])
    assert values.tolist() == [None, "CHN", None, None]
    assert any("'Tibet' (rows 10, 13)" in w and "Freedom House" in w for w in warnings)
    assert any("'European Union' (rows 12)" in w and "not a state" in w for w in warnings)
    with pytest.raises(UnresolvedCountries) as err:
        resolver().resolve_report(["Tibet", "Atlantis"], "f.csv")
    assert [i[0] for i in err.value.items] == ["Atlantis"]


def test_resolve_cow_raises_for_unknown_codes():
    with pytest.raises(UnresolvedCountries) as err:
        CountryResolver().resolve_cow([365, 99999], [2000, 2000], "t.csv", rows=[2, 3])
    assert err.value.items == [("COW 99999", "t.csv", [3])]


# -- every name and code in the mirror --------------------------------------------------

def _csv(mirror, path, *columns):
    df = pd.read_csv(mirror / path, dtype=str, keep_default_na=False)
    return [(f"{path}:{c}", df[c].tolist()) for c in columns]


def _geojson(mirror, path, *keys):
    props = [f["properties"] for f in json.loads((mirror / path).read_text("utf-8"))["features"]]
    return [(f"{path}:{k}", [p[k] for p in props]) for k in keys]


def _asd(mirror):
    data = json.loads((mirror / "asd_interference_tracker/incidents.json").read_text("utf-8"))
    countries = [f["properties"]["country"] for f in data["features"]]
    actors = [a["name"] for f in data["features"] for i in f["properties"]["incidents"]
              for a in i.get("actors") or []]
    return [("incidents.json:country", countries), ("incidents.json:actors", actors)]


def _fh(mirror):
    df = pd.read_excel(mirror / "freedom_house/All_data_FIW_2013-2024.xlsx", sheet_name="FIW13-24",
                       header=1)
    return [("All_data_FIW_2013-2024.xlsx:Country/Territory", df["Country/Territory"].tolist())]


def _pew_rds(mirror):
    df = pyreadr.read_r(str(mirror / "pew_global_attitudes/pew_all_opi.RDS"))[None]
    return [("pew_all_opi.RDS:sta", df["sta"].astype(str).unique().tolist())]


COLUMNS = {
    "freedom-house": _fh,
    "vdem": lambda m: _csv(m, "vdem/vdem_v14_core_2000_2023.csv", "country_text_id", "country_name"),
    "wgi": lambda m: _csv(m, "wgi/wgi_estimates_wide_1996_2019.csv", "iso3", "country"),
    "aiddata-gcdf": lambda m: _csv(m, "aiddata_gcdf/gcdf3_country_year_iso3.csv", "iso3", "country"),
    "aiddata-pd": lambda m: _csv(m, "aiddata_public_diplomacy/chinese_public_diplomacy_country_year.csv",
                                 "receiving_country"),
    "confucius": lambda m: _csv(m, "confucius_institutes/confucius_institutes.csv", "country"),
    "pew": lambda m: _csv(m, "pew_global_attitudes/pew_favorability_country_year.csv", "iso3", "target"),
    "pew-rds": _pew_rds,
    "asd": _asd,
    "coercion": lambda m: (_csv(m, "coercion_cases/coercion_cases_governments.csv", "Country")
                           + _csv(m, "coercion_cases/coercion_cases_companies.csv", "Business_Country")),
    "embedded": lambda m: (_csv(m, "embedded_propaganda_africa/results_all_countries.csv", "country")
                           + _csv(m, "embedded_propaganda_africa/embedded_propaganda_statistics.csv",
                                  "Country")),
    "natural-earth": lambda m: _geojson(m, "natural_earth/ne_110m_countries_slim.geojson",
                                        "iso3", "NAME", "ADMIN"),
    "countries": lambda m: _csv(m, "countries/iso3166_regions_all.csv", "alpha-3", "name"),
}


FH_TERRITORIES = {"Abkhazia", "Crimea", "Eastern Donbas", "Gaza Strip", "Indian Kashmir",
                  "Nagorno-Karabakh", "Northern Cyprus", "Pakistani Kashmir", "Somaliland",
                  "South Ossetia", "Tibet", "Transnistria", "West Bank"}
SKIPPED = {  # exactly what each source leaves out on purpose (reasons in country_aliases.yaml)
    "freedom-house": FH_TERRITORIES,
    "vdem": {"PSG", "SML", "ZZB", "Palestine/Gaza", "Somaliland", "Zanzibar"},
    "pew": {"EU", "UN"},
    "coercion": {"European Union", "Various"},
    "natural-earth": {"CYN", "SOL", "N. Cyprus", "Northern Cyprus", "Somaliland"},
}


@pytest.mark.parametrize("source", sorted(COLUMNS))
def test_every_name_in_the_mirror_resolves_or_is_skipped_with_reason(mirror, source):
    res = resolver()
    skipped = set()
    for label, values in COLUMNS[source](mirror):
        resolved, warnings = res.resolve_report(values, label)  # raises on any unknown name
        assert resolved.notna().sum() > 0, label
        skipped |= {str(v) for v, r in zip(values, resolved) if r is None}
        assert len(warnings) == len({str(v) for v, r in zip(values, resolved) if r is None})
    assert skipped == SKIPPED.get(source, set())
    assert all(res.skip_reason(name) for name in skipped)


@pytest.mark.parametrize("path, code, name, exceptions", [
    ("vdem/vdem_v14_core_2000_2023.csv", "country_text_id", "country_name", set()),
    ("wgi/wgi_estimates_wide_1996_2019.csv", "iso3", "country", set()),
    ("aiddata_gcdf/gcdf3_country_year_iso3.csv", "iso3", "country", set()),
    ("countries/iso3166_regions_all.csv", "alpha-3", "name", set()),
])
def test_codes_and_names_of_a_file_agree(mirror, path, code, name, exceptions):
    df = pd.read_csv(mirror / path, dtype=str, keep_default_na=False).drop_duplicates([code, name])
    res = resolver()
    clash = {(c, n) for c, n in zip(df[code], df[name])
             if res.resolve(c) != res.resolve(n) and (res.resolve(c) or res.resolve(n))}
    assert clash == exceptions


def test_every_cow_code_in_the_trade_data_resolves_by_year(mirror):
    res = CountryResolver()
    states = pd.read_csv(mirror / "cow_trade/cow_states_lookup.csv")
    res.register_cow(states)
    dyads = pd.read_csv(mirror / "cow_trade/cow_dyadic_trade_partner_CHN_RUS.csv")
    targets, warnings = res.resolve_cow(dyads["ccode"], dyads["year"], "dyads")
    actors, _ = res.resolve_cow(dyads["partner"], dyads["year"], "dyads")
    assert set(actors) == {"CHN", "RUS", "SUN"}
    skipped = {int(c) for c, t in zip(dyads["ccode"], targets) if t is None}
    assert skipped == {300, 730}  # Austria-Hungary and the Korean Empire, with reasons
    assert len(warnings) == 2
    # one ISO3 per partner and year: no two COW codes collide after resolution
    frame = pd.DataFrame({"t": targets, "a": actors, "y": dyads["year"]}).dropna()
    assert not frame.duplicated().any()


def test_normalised_keys_are_those_of_the_full_unicode_path():
    """`normalise` skips the Unicode decomposition for an ASCII text (it has nothing to
    decompose): the keys of every ISO name, with and without accents, are unchanged."""
    import re
    import unicodedata

    import pycountry

    from sharppower.countries import normalise

    def full(name: str) -> str:
        text = "".join(ch for ch in unicodedata.normalize("NFKD", str(name))
                       if not unicodedata.combining(ch))
        text = re.sub(r"[^a-z0-9]+", " ", text.lower().replace("&", " and "))
        return " ".join(re.sub(r"\bthe\b", " ", text).split())

    names = [getattr(c, a) for c in pycountry.countries
             for a in ("alpha_2", "alpha_3", "name", "official_name", "common_name")
             if getattr(c, a, None)]
    names += ["The Gambia & Co", "Côte d’Ivoire", "ＫＥＮ", "Curaçao", "Türkiye"]
    assert any(not n.isascii() for n in names) and len(names) > 600
    assert [normalise(n) for n in names] == [full(n) for n in names]
