"""EUvsDisinfo: the connector against SOURCE.md's counts, the declared target rule (the
audience a claim was published for, not the countries it mentions), coverage by
monitored language and aimed outlet (missing is not zero), ASD duplicates linked and
counted once in the RUS sp_info_manipulation values."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.errors import InputError
from sharppower.measures.evidence import euvsdisinfo as euvd
from sharppower.measures.evidence.ledger import get_evidence, list_evidence
from sharppower.measures.evidence.records import evidence_indicators, normalise
from sharppower.measures.evidence.sync import sync_source
from sharppower.measures.evidence.values import coverage_table, indicator_values
from sharppower.settings import Settings
from sharppower.sources.connectors.euvsdisinfo import FILE, SOURCE, parse_file
from sharppower.sources.load import LoadContext
from sharppower.sources.snapshot import pull

FIXTURES = Path(__file__).parent / "fixtures" / "fimi" / "euvsdisinfo"
SOURCE_MD_YEARS = {2015: 344, 2016: 1942, 2017: 1307, 2018: 984, 2019: 2620, 2020: 3265,
                   2021: 430}


def test_mirror_counts_per_year_match_source_md(mirror):
    cases = parse_file(mirror / "euvsdisinfo" / FILE)
    assert len(cases) == 10_892 == sum(SOURCE_MD_YEARS.values())
    assert cases["year"].value_counts().sort_index().to_dict() == SOURCE_MD_YEARS
    assert (cases["date"].min(), cases["date"].max()) == ("2015-01-06", "2021-02-18")
    assert (cases["countries"].map(len) == 0).sum() == 274  # SOURCE.md: empty countries 274
    assert (cases["languages"].map(len) == 0).sum() == 250
    recs, cover, _ = euvd.records_for(cases, load_codebook(), resolver())
    assert not any(r["target"] == "RUS" for r in recs)  # Russia is never a target
    targets = Counter(r["target"] for r in recs)
    # by audience (named in 4,009 and 3,147 cases): Ukraine's public is addressed in
    # 2,862 cases (Russian and Ukrainian claims about it, ukraina.ru), the US's in 409
    assert (targets["UKR"], targets["USA"]) == (2862, 409)
    assert targets["CHN"] == 0  # named in cases, but no monitored language is China's
    top = [t for t, _ in targets.most_common(20)]
    assert top[:2] == ["UKR", "GEO"] and {"EST", "LTU", "MDA"} <= set(top[:15])
    assert "LVA" in top  # 16th
    covered = {c["target"] for c in cover}
    assert {"CZE", "HUN", "SVK"} <= covered and "BRA" in covered
    assert "KOR" not in covered and "JPN" not in covered  # named, but no audience watched
    assert "ZAF" not in covered  # no case and no monitored language: missing


def test_audience_rule():
    rule = euvd.load_rule(load_codebook())
    case = lambda langs, outlets=(): {"languages": list(langs), "outlets": list(outlets)}
    # a language of one country counts for it, named or not
    assert euvd.audience_of(case(["Czech"]), [], rule) == ["CZE"]
    # a language of several countries: the named ones among them only
    assert euvd.audience_of(case(["Russian"]), ["UKR", "USA"], rule) == ["UKR"]
    assert euvd.audience_of(case(["English"]), ["CHN"], rule) == []
    assert euvd.audience_of(case(["German"]), ["AUT", "FRA"], rule) == ["AUT"]
    # an outlet aimed at one country counts for it, whatever the language and the topic
    assert euvd.audience_of(case(["Russian"], ["Sputnik Belarus - Russian"]), ["USA"],
                            rule) == ["BLR"]
    assert euvd.outlet_name("News Front - YouTube, Russian") == "News Front"


def test_target_rule_and_errors(tmp_path):
    cases = parse_file(FIXTURES / FILE)
    rule = euvd.load_rule(load_codebook())
    got = {c["title"][:12]: euvd.targets_of(c["countries"], rule, resolver(), c["source_row"])
           for c in cases.to_dict("records")}
    assert got == {"NATO tanks w": ["EST"], "Estonian ele": ["EST", "USA"],
                   "Secret labs ": ["GEO"], "The USSR alo": [], "Kyrgyz prote": ["KGZ"],
                   "Russophobia ": []}
    bad = (FIXTURES / FILE).read_text().replace("Kirgizstan", "Atlantis")
    (tmp_path / FILE).write_text(bad)
    with pytest.raises(InputError) as err:
        euvd.records_for(parse_file(tmp_path / FILE), load_codebook(), resolver())
    assert (err.value.file, err.value.row, err.value.field) == (FILE, 6, "countries")


def _snapshot(tmp_path: Path):
    mirror = tmp_path / "mirror" / "euvsdisinfo"
    mirror.mkdir(parents=True, exist_ok=True)
    for name in ("posts.csv", "datapackage.json"):
        shutil.copy(FIXTURES / name, mirror / name)
    settings = Settings(data_dir=tmp_path / "data", database_url="sqlite://",
                        mirror=tmp_path / "mirror")
    return pull(settings, SOURCE)[0]


def _asd_duplicate(db) -> None:
    """ASD lists the Estonian election case (same URL) and a different event."""
    cb = load_codebook()
    base = {"actors": ["RUS"], "target": "EST", "indicators": ["sp_info_manipulation"],
            "status": "accepted", "coder": "source:asd", "origin": "asd-interference-tracker"}
    recs = [normalise(base | {"id": "asd-1", "origin_key": "1", "start_date": "2019-03-18",
                              "title": "Disinformation on the Estonian elections",
                              "sources": [{"url": "https://euvsdisinfo.eu/report/test-case-"
                                                  "estonian-elections-rigged/"}]}, cb),
            normalise(base | {"id": "asd-2", "origin_key": "2", "start_date": "2019-06-01",
                              "title": "Hack of a ministry",
                              "sources": [{"url": "https://example.org/hack"}]}, cb)]
    with db.begin() as conn:
        sync_source(conn, "asd-interference-tracker", recs, "source:asd",
                    evidence_indicators(cb))


def test_load_records_coverage_links_and_values(db, tmp_path):
    _asd_duplicate(db)
    result = euvd.load(LoadContext(db, load_codebook()), _snapshot(tmp_path))
    assert result.rows == 4 and "1 record(s) linked" in result.warnings[-1]
    assert "2 cases reach no monitored audience" in result.warnings[-2]
    frame = list_evidence(db, origin="euvsdisinfo").set_index("id")
    # the US is named by the Estonian election case, but no monitored language is its own
    assert sorted(frame["target"]) == ["EST", "EST", "GEO", "KGZ"]
    assert set(frame["status"]) == {"accepted"} and set(map(tuple, frame["actors"])) == {("RUS",)}
    rec = get_evidence(db, frame[frame["target"] == "GEO"].index[0])
    assert rec["narrative"] is None and rec["techniques"] == [] and rec["categories"] == ["Biolabs"]
    assert rec["link"] == "https://euvsdisinfo.eu/report/test-case-georgian-labs/"
    assert rec["confidence"] == "high"  # published in Georgian, for Georgia's public
    cover = coverage_table(db)
    cover = cover[cover["origin"] == "euvsdisinfo"]
    # the audiences of the monitored languages (Russian, Estonian, Georgian)
    russian = set(euvd.load_rule(load_codebook())["languages"]["Russian"])
    assert set(cover["target"]) == russian | {"EST", "GEO"} and "USA" not in russian
    assert set(cover["last_date"]) == {"2021-02-10"}
    values = indicator_values(db)
    values = values[(values["actor"] == "RUS") & (values["indicator"] == "sp_info_manipulation")]
    est = values[values["target"] == "EST"].set_index("year")
    # 2019: two EUvsDisinfo cases and ASD's two records, one of them the same case -> 3
    assert est.loc[2019, "value"] == 3 and "linked_duplicates" in est.loc[2019, "flags"]
    assert len(est.loc[2019, "evidence_ids"]) == 4
    assert est.loc[2021, "value"] == 3 and "partial_year" in est.loc[2021, "flags"]
    kaz = values[values["target"] == "KAZ"].set_index("year")
    assert (kaz["value"] == 0).all()  # Russian monitored, no case: 0
    assert values[values["target"] == "ZAF"].empty  # not monitored: missing
    claims = indicator_values(db)
    claims = claims[claims["indicator"] == "prs_disinfo_claims"].set_index(["target", "year"])
    # per source and year: EUvsDisinfo's own records only (ASD's two are not its), 1 year
    assert claims.loc[("EST", 2019), "value"] == 2 and claims.loc[("EST", 2019), "window"] == 1
    assert all(i.startswith("euvd-") for i in claims.loc[("EST", 2019), "evidence_ids"])
    assert claims.loc[("EST", 2020), "value"] == 0  # covered, no case that year
    assert claims.loc[("KAZ", 2019), "value"] == 0 and ("ZAF", 2019) not in claims.index
    # ASD declared no coverage here: its per-source count has no cell (missing, not 0)
    assert indicator_values(db).query("indicator == 'prs_asd_incidents'").empty
    again = euvd.load(LoadContext(db, load_codebook()), _snapshot(tmp_path))
    assert again.rows == 4 and pd.Timestamp(get_evidence(db, rec["id"])["updated_at"]) == \
        pd.Timestamp(rec["updated_at"])  # idempotent re-import


def test_built_mirror_store_has_cases_framework_and_rus_values(built_store):
    _, db = built_store
    assert db.scalar("SELECT COUNT(*) FROM disarm_framework WHERE kind = 'technique'") == 391
    assert db.scalar("SELECT COUNT(*) FROM evidence WHERE origin = 'euvsdisinfo'") == 8_353
    years = db.read("SELECT start_year AS year, COUNT(*) AS n FROM evidence "
                    "WHERE origin = 'euvsdisinfo' GROUP BY start_year ORDER BY start_year")
    assert dict(zip(years["year"], years["n"]))[2015] == 229
    obs = db.read("SELECT target, year, value, source_row, evidence_ids, flags FROM observations "
                  "WHERE source = 'evidence' AND actor = 'RUS' "
                  "AND indicator = 'sp_info_manipulation'")
    kaz = obs[(obs["target"] == "KAZ") & (obs["year"] == 2020)].iloc[0]
    assert kaz["source_row"] == "euvsdisinfo" and kaz["value"] > 0  # covered by language only
    assert "euvd-" in kaz["evidence_ids"]
    est = obs[(obs["target"] == "EST") & (obs["year"] == 2019)].iloc[0]
    assert est["source_row"] == "asd-interference-tracker,euvsdisinfo"
    assert obs[obs["target"] == "ZAF"].empty  # neither source covers South Africa
