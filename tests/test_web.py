"""Pages of the dashboard on the demo store (SQLite and PostgreSQL): HTML and the JSON of
the same view, the starter banner, "no data" shown as such, and bad requests as 4xx."""

from __future__ import annotations

import re

import pytest
from test_web_support import add_opinion, client, favourable, make_app

PAGES = ["/map", "/countries", "/country/AUS", "/quadrant", "/evidence", "/evidence/new",
         "/methodology", "/downloads", "/sources"]


@pytest.fixture
def web(demo_db, conf):
    add_opinion(demo_db)
    return client(make_app(conf, demo_db))


@pytest.mark.parametrize("path", PAGES)
def test_page_and_its_json_come_from_one_view(web, path):
    html = web.get(path)
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "starter data" in html.text  # the demo store holds only the starter data
    as_json = web.get(path + ".json")
    by_accept = web.get(path, headers={"Accept": "application/json"})
    assert as_json.status_code == by_accept.status_code == 200
    assert as_json.json() == by_accept.json()
    assert as_json.json()["starter_only"] is True


def test_no_page_loads_anything_from_outside(web):
    for path in PAGES:
        text = web.get(path).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', text)
        scripts = [s for s in sources if s.endswith(".js")]
        assert all(s.startswith("/static/") for s in scripts), (path, scripts)
        assert not re.search(r'<(?:script|link)[^>]+(?:src|href)="https?://', text), path
        assert "cdn." not in text.lower()


def test_plotly_is_served_from_the_installed_package(web):
    import plotly

    r = web.get("/static/vendor/plotly.min.js")
    assert r.status_code == 200
    shipped = (__import__("pathlib").Path(plotly.__file__).parent / "package_data"
               / "plotly.min.js").read_bytes()
    assert r.content == shipped


def test_map_values_are_the_stored_ones_and_missing_is_no_data(web, demo_db):
    data = web.get("/map.json", params={"measure": "att_favorable", "year": 2021}).json()
    got = {r["target"]: r["value"] for r in data["values"]}
    assert got == {"SWE": 18.0, "KOR": 22.0}  # AUS has no 2021 row: absent, not 0
    assert data["year"] == 2021 and data["years"] == [2019, 2021, 2022]
    swe = favourable(demo_db, "CHN", "SWE")
    assert got["SWE"] == swe.loc[swe["year"] == 2021, "value"].item()
    ci = next(r for r in data["values"] if r["target"] == "SWE")
    assert ci["ci_low"] == pytest.approx(18.0 - 1.959964 * 1.3, abs=1e-3)
    assert "AUS" in data["shapes"] and "SWE" in data["shapes"]
    html = web.get("/map", params={"measure": "att_favorable", "year": 2021}).text
    assert "no data" in html and "PlotlyGeoAssets" in html


def test_map_by_actor_and_default_year(web):
    data = web.get("/map.json", params={"measure": "att_favorable", "actor": "RUS"}).json()
    assert data["actor"] == "RUS" and data["year"] == 2022
    assert [(r["target"], r["value"]) for r in data["values"]] == [("SWE", 4.0)]


def index_pillars(db) -> list[str]:
    """The pillars of the influence index in the store's run (the default spec's before one)."""
    from sharppower.index.nodes import run_nodes

    return next(n["children"] for n in run_nodes(db) if n["node"] == "influence")


def test_index_measure_without_a_run_is_no_data_not_zero(web, demo_db):
    pillars = index_pillars(demo_db)
    assert pillars == ["exposure", "pressure", "effect"]  # influence v2
    for pillar in pillars:
        measure = f"index:pillar:{pillar}"
        data = web.get("/map.json", params={"measure": measure}).json()
        assert data["values"] == [] and data["with_value"] == 0
        assert "No data for this measure" in web.get("/map", params={"measure": measure}).text


def test_country_profile_trend_highs_and_both_actors(web):
    data = web.get("/country/SWE.json").json()
    assert data["country"]["iso3"] == "SWE"
    series = {(s["actor"], s["indicator"]): s for s in data["attraction"]}
    chn = series[("CHN", "att_favorable")]
    assert [p["year"] for p in chn["points"]] == [2019, 2021, 2022]
    assert chn["high"] == {**chn["high"], "year": 2021, "value": 18.0}
    assert chn["latest"]["year"] == 2022
    assert series[("RUS", "att_favorable")]["high"]["value"] == 10.0
    assert series[("CHN", "att_unfavorable")]["latest"]["value"] == 83.0  # starter fact
    from sharppower.codebook import load_codebook

    declared = list(load_codebook().actors)
    assert [b["actor"] for b in data["by_actor"]] == declared  # one block per actor
    for block in data["by_actor"]:  # each score, or why not
        assert {r["actor"] for r in block["scores"]} == {block["actor"]}
        assert all((r["value"] is None) == bool(r["not_scored"]) for r in block["scores"])
    chn, rus = (next(b for b in data["by_actor"] if b["actor"] == a) for a in ("CHN", "RUS"))
    assert chn["year"] == 2022 and chn["year_rule"] == "coverage"  # no index run: surveys
    index = next(r for r in chn["scores"] if r["node"] == "influence")
    assert index["not_scored"] == "no data on any of its components for this country in 2022"
    assert rus["year"] == 2022 and not rus["has_scores"]  # its latest survey year
    reasons = {r["node"]: r["not_scored"] for r in rus["scores"]}
    assert reasons["influence"] == "no data on any of its components for this country in 2022"
    assert reasons["institutes"].startswith("no component for this actor")  # CHN-only source
    html = web.get("/country/SWE").text
    assert "historic high" in html.lower() and "China" in html and "Russia" in html


def test_country_profile_lists_its_evidence_with_sources(web):
    data = web.get("/country/AUS.json").json()
    ids = {r["id"] for r in data["evidence"]}
    assert {"starter-aus-integrated-networks", "starter-aus-barley-tariffs"} <= ids
    barley = next(r for r in data["evidence"] if r["id"] == "starter-aus-barley-tariffs")
    assert "sp_economic_coercion" in barley["indicators"]
    assert barley["link"].startswith("https://www.wto.org/")
    html = web.get("/country/AUS").text
    assert "80.5%" in html and "https://www.wto.org/" in html


def test_country_by_name_and_resilience_rows(web):
    data = web.get("/country/Australia.json").json()
    assert data["country"]["iso3"] == "AUS"
    assert {r["indicator"] for r in data["resilience"]} >= {"res_fh_total", "res_wgi_corruption"}
    assert all(r["value"] is None for r in data["resilience"])  # not loaded: no data


@pytest.mark.parametrize("path, status, words", [
    ("/country/XYZ.json", 404, "unknown country"),
    ("/country/Atlantis", 404, "unknown country"),
    ("/country/SWE.json?year=1800", 422, "out of range"),
    ("/country/SWE.json?year=abc", 422, "year"),
    ("/map.json?year=3000", 422, "out of range"),
    ("/map.json?measure=nonsense", 422, "unknown measure"),
    ("/map.json?actor=GBR", 422, "unknown actor"),
    ("/quadrant.json?influence=charm", 422, "influence"),
    ("/quadrant.json?year=2022&from_year=2022", 422, "before"),
    ("/evidence.json?status=maybe", 422, "status"),
    ("/evidence.json?target=Narnia", 404, "unknown country"),
    ("/evidence/no-such-record.json", 404, "no evidence record"),
    ("/downloads/web_api_tokens.csv", 404, "no downloadable table"),
    ("/downloads/observations.xlsx", 422, "csv or parquet"),
    ("/nowhere", 404, "no page"),
])
def test_bad_requests_are_4xx_with_a_clear_message(web, path, status, words):
    r = web.get(path)
    assert r.status_code == status
    assert words in r.json()["message"]


def test_methodology_is_generated_from_codebook_and_spec(web):
    from sharppower.codebook import load_codebook

    data = web.get("/methodology.json").json()
    book = load_codebook()
    listed = {i["code"] for p in data["pillars"] for d in p["domains"] for i in d["indicators"]}
    assert listed == set(book.indicators["code"])
    assert [p["code"] for p in data["pillars"]] == list(book.pillars)
    assert data["spec"]["name"] == "influence" and "index_specs" not in data
    html = web.get("/methodology").text
    assert "sp_media_capture" in html  # an evidence category, listed outside the index
    assert "In index" not in html and "influence_v1" not in html and '"stages"' not in html


def test_evidence_browser_filters(web):
    everything = web.get("/evidence.json").json()
    assert everything["total"] >= 3
    aus = web.get("/evidence.json", params={"target": "AUS"}).json()
    assert aus["total"] >= 2 and all(r["target"] == "AUS" for r in aus["records"])
    coercion = web.get("/evidence.json", params={"domain": "coercion", "year": 2021}).json()
    assert "starter-aus-barley-tariffs" in [r["id"] for r in coercion["records"]]
    domain_codes = {"sp_cyber_operations", "sp_economic_coercion", "sp_kinetic_operations"}
    for r in coercion["records"]:
        assert domain_codes & set(r["indicators"])
        assert r["start_date"][:4] <= "2021"
        assert r["ongoing"] or r["end_date"] is None or r["end_date"][:4] >= "2021"
    before = web.get("/evidence.json", params={"domain": "coercion", "year": 2019}).json()
    assert "starter-aus-barley-tariffs" not in [r["id"] for r in before["records"]]
    text = web.get("/evidence.json", params={"q": "barley"}).json()
    assert [r["id"] for r in text["records"]] == ["starter-aus-barley-tariffs"]
    none = web.get("/evidence.json", params={"actor": "RUS", "target": "AUS"}).json()
    assert none["total"] == 0


def test_countries_list_links_profiles(web):
    data = web.get("/countries.json").json()
    codes = {c["iso3"] for c in data["countries"]}
    assert {"SWE", "AUS", "XKX"} <= codes
    assert 'href="/country/SWE"' in web.get("/countries").text


@pytest.fixture
def indexed(demo_db, conf):
    from test_web_support import add_index_inputs

    add_index_inputs(demo_db)
    return client(make_app(conf, demo_db))


def test_weights_rerank_through_the_index_engine(indexed, demo_db):
    from test_web_support import input_pillars

    from sharppower.index.run import run_index

    exposure, pressure = input_pillars()
    assert {exposure, pressure} < set(index_pillars(demo_db))
    base = indexed.get("/weights.json").json()
    assert base["year"] == 2021 and len(base["rows"]) == 5
    assert [r["rank"] for r in base["rows"]] == [1, 2, 3, 4, 5]
    assert base["rows"][0]["target"] == "KEN"  # visits outweigh its low trade and arms share
    assert {n["node"] for n in base["nodes"] if n["level"] == "pillar"} == set(index_pillars(demo_db))
    visits_only = indexed.get("/weights.json", params={f"w.{exposure}": 0}).json()
    order = [r["target"] for r in visits_only["rows"]]
    assert order == ["KEN", "PAK", "ZMB", "LAO", "KHM"]  # by leaders' visits
    trade_only = indexed.get("/weights.json", params={f"w.{pressure}": 0}).json()
    assert [r["target"] for r in trade_only["rows"]] == order[::-1]  # by trade and arms share
    engine = run_index(demo_db, overrides={f"weight.weights.{pressure}": 0.0}, actor="CHN",
                       year=2021)
    expected = engine.long(level="index", year=2021, actor="CHN")
    assert dict(zip(expected["target"], expected["rank"])) == {
        r["target"]: r["rank"] for r in trade_only["rows"]}
    assert {r["target"]: r["baseline_rank"] for r in trade_only["rows"]} == {
        r["target"]: r["rank"] for r in base["rows"]}
    assert "weight-slider" in indexed.get("/weights").text


@pytest.mark.parametrize("query, words", [
    ({"w.exposure": "abc"}, "not a number"), ({"w.pressure": 11}, "between 0 and 10"),
    ({"w.reach": 1}, "no pillar or domain"), ({"w.attraction": 1}, "no pillar or domain"),
    ({"year": 1850}, "out of range"),
])
def test_weights_bad_requests(indexed, query, words):
    r = indexed.get("/weights.json", params=query)
    assert r.status_code == 422 and words in r.json()["message"]


def test_readme_weights_example_answers_and_a_wrong_name_lists_the_valid_ones(indexed):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    examples = re.findall(r"`(/weights\.json\?[^`]+)`", readme)
    assert examples
    for example in examples:
        assert indexed.get(example).status_code == 200, example
    nodes = {n["node"] for n in indexed.get("/weights.json").json()["nodes"]}
    message = indexed.get("/weights.json", params={"w.reach": 1}).json()["message"]
    assert all(f"w.{n}" in message for n in nodes)
