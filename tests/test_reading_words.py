"""Issue 23, plain words: coverage cells name components by their codebook names, "not
scored" says why in words, and no page says "default year None"."""

from __future__ import annotations

import re

import pytest
from test_web_support import build_index_with_one_vote, client, make_app


@pytest.fixture
def partly(demo_db, conf):
    """The index inputs of the web fixture (exposure and pressure), and TZA with a UN vote
    only: the effect pillar is present that year, so the others lack a pillar."""
    build_index_with_one_vote(demo_db)
    return client(make_app(conf, demo_db))


def chn_scores(web, iso3: str) -> dict[str, dict]:
    block = next(b for b in web.get(f"/country/{iso3}.json?year=2021").json()["by_actor"]
                 if b["actor"] == "CHN")
    return {s["node"]: s for s in block["scores"]}


def test_components_and_reasons_in_words(partly):
    ken = chn_scores(partly, "KEN")
    details = " ".join(s["detail"] for s in ken.values())
    assert ken["trade_dependence"]["value"] is not None
    assert "Trade with the actor, share of total trade" in ken["trade_dependence"]["detail"]
    assert not re.search(r"\b(exp|prs|eff|att|res)[ _]", details), details
    why = ken["influence"]["not_scored"]
    assert ken["influence"]["value"] is None and why
    assert why.startswith("data on only 67% of the pillars it combines (Exposure, Pressure, "
                          "Effect)")
    assert "cross-section" not in why and "<" not in why
    tza = chn_scores(partly, "TZA")["exposure"]["not_scored"]
    assert tza.startswith("data on only 50% of the domains it combines (Trade dependence")  # declared zeros count
    assert "a score needs all of them" in partly.get("/country/KEN?year=2021").text


def test_no_page_says_a_year_is_none(demo_db, conf):
    web = client(make_app(conf, demo_db))  # the starter store: no index run
    for path in ("/country/AUS", "/map", "/map?measure=att_favorable"):
        text = web.get(path).text
        assert "None" not in re.sub(r"<[^>]+>", " ", text), path


def test_no_evidence_names_the_ledgers_and_records_name_their_indicators(demo_db, conf):
    from sharppower.measures.evidence import list_evidence

    web = client(make_app(conf, demo_db))
    records = list_evidence(demo_db)
    assert not records.empty and "KHM" not in set(records["target"])
    text = web.get("/country/KHM").text
    assert "none of the ledgers loaded covers Cambodia" in text
    assert "the absence of records says nothing about interference" in text
    target = records["target"].iloc[0]
    page = web.get(f"/country/{target}").text
    codes = re.findall(r'<span class="indicator" title="([^"]+)">([^<]+)</span>', page)
    assert codes and all(name != code and "_" not in name for code, name in codes)


def test_each_score_says_the_sources_it_rests_on(partly):
    from sharppower.codebook import packaged_codebook
    from sharppower.index.names import source_name

    source = dict(zip(packaged_codebook().indicators["code"],
                      packaged_codebook().indicators["source"]))
    ken = chn_scores(partly, "KEN")
    trade = source_name(source["exp_trade_share"])
    visits = source_name(source["prs_leader_visits"])
    assert ken["trade_dependence"]["sources"] == f"rests on: {trade}"
    assert ken["pressure"]["sources"].startswith(f"rests on: {visits}; not covered by the "
                                                 "evidence ledgers")
    assert ken["public_opinion"]["value"] is None
    assert ken["public_opinion"]["sources"] == "not covered by any source"
    assert "not covered by any source" in partly.get("/country/KEN?year=2021").text


def test_map_tooltip_says_the_sources_too(partly):
    from sharppower.codebook import packaged_codebook
    from sharppower.index.names import source_name

    source = dict(zip(packaged_codebook().indicators["code"],
                      packaged_codebook().indicators["source"]))
    shown = partly.get("/map.json?actor=CHN&measure=index:pillar:exposure&year=2021").json()
    ken = next(r for r in shown["values"] if r["target"] == "KEN")
    assert f"rests on: {source_name(source['exp_trade_share'])}" in ken["hover"]
    indicator = partly.get("/map.json?actor=CHN&measure=exp_trade_share&year=2021").json()
    assert all("rests on" not in r["hover"] for r in indicator["values"])


def test_data_package_scores_say_their_sources(partly, demo_db):
    from sharppower.analysis.datapackage import FIELDS, table
    from sharppower.codebook import packaged_codebook
    from sharppower.index.names import source_name

    source = dict(zip(packaged_codebook().indicators["code"],
                      packaged_codebook().indicators["source"]))
    scores = table(demo_db, "index_scores")
    ken = scores[(scores["target"] == "KEN") & (scores["year"] == 2021)].set_index("node")
    trade = source_name(source["exp_trade_share"])
    visits = source_name(source["prs_leader_visits"])
    assert ken.loc["trade_dependence", "sources"] == f"rests on: {trade}"
    assert ken.loc["exposure", "sources"].startswith("rests on: ")
    assert trade in ken.loc["exposure", "sources"]
    assert ken.loc["pressure", "sources"] == f"rests on: {visits}"
    assert "sources" in FIELDS
