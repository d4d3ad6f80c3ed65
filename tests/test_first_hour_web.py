"""Issue 11 (an analyst's first hour), without a browser: shortcodes gone from real ASD
narratives, empty form fields are "not given", errors as HTML for browsers and JSON for API
clients, one name per country, the favicon."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_web_support import client, make_app

from sharppower.measures.evidence.sanitise import narrative_html, narrative_text
from sharppower.web.forms import without_empty

HTML = {"Accept": "text/html,application/xhtml+xml"}


def asd_narratives(mirror: Path) -> list[dict]:
    path = mirror / "asd_interference_tracker" / "incidents.json"
    assert path.is_file(), f"{path} is missing from the mirror"
    features = json.loads(path.read_text("utf-8"))["features"]
    return [i for f in features for i in f["properties"]["incidents"]]


def test_shortcodes_leave_real_asd_narratives(mirror):
    incidents = asd_narratives(mirror)
    coded = [i for i in incidents if "[fusion_builder_container" in i["content"]]
    assert len(coded) >= 100  # the mirror's narratives copied from the WordPress builder
    for inc in coded:
        shown, text = narrative_html(inc["content"]), narrative_text(inc["content"])
        assert "[fusion_" not in shown and "[/fusion_" not in shown, inc["post_id"]
        assert "[fusion_" not in text and len(text) > 80, inc["post_id"]
        assert not shown.startswith("<p></p>")
    han_dong = next(i for i in coded if i["post_id"] == 28357)
    assert narrative_text(han_dong["content"]).startswith("On September 12, 2019, former local "
                                                          "lawmaker Han Dong")


def test_bracketed_prose_and_links_survive_the_shortcode_rule():
    raw = ('<p>[vc_row][vc_column_text]</p><p>He said [sic] it was "done" '
           '<a href="https://example.org/a">here</a>.</p><p>[/vc_column_text][/vc_row]</p>')
    shown = narrative_html(raw)
    assert shown.startswith("<p>He said [sic] it was")
    assert 'href="https://example.org/a"' in shown and "vc_" not in shown


def test_empty_query_fields_are_dropped_and_others_kept_byte_for_byte():
    assert without_empty(b"actor=&year=&q=media") == b"q=media"
    assert without_empty(b"q=caf%C3%A9&year=2021") == b"q=caf%C3%A9&year=2021"
    assert without_empty(b"year=%20&q=caf%C3%A9") == b"q=caf%C3%A9"


@pytest.fixture
def api(demo_db, conf):
    return client(make_app(conf, demo_db))


def test_evidence_form_without_a_year_searches(api):
    r = api.get("/evidence?actor=&target=&domain=&year=&status=&q=&tactic=&technique=",
                headers=HTML)
    assert r.status_code == 200, r.text[:300]
    assert "records" in r.text
    assert api.get("/quadrant.json?from_year=&year=").status_code == 200


def test_bad_input_is_an_html_page_for_a_browser_and_json_for_an_api_client(api):
    page = api.get("/country/NOWHERE", headers=HTML)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "unknown country &#39;NOWHERE&#39;" in page.text or "unknown country 'NOWHERE'" in page.text
    assert '<nav>' in page.text and 'href="/countries"' in page.text and "data-back" in page.text
    for headers in ({}, {"Accept": "application/json"}):
        r = api.get("/country/NOWHERE", headers=headers)
        assert r.status_code == 404 and r.json()["error"] == "NotFound"
    assert api.get("/country/NOWHERE.json", headers=HTML).json()["error"] == "NotFound"
    bad = api.get("/map?year=abc", headers=HTML)
    assert bad.status_code == 422 and "year" in bad.text and "<nav>" in bad.text
    assert api.get("/map?year=abc").json()["error"] == "BadRequest"
    assert api.get("/api/me", headers=HTML).json()["error"] == "Unauthorised"
    missing = api.get("/no/such/page", headers=HTML)
    assert missing.status_code == 404 and "no page or API route at /no/such/page" in missing.text


def test_one_name_per_country(api):
    names = {c["iso3"]: c["name"] for c in api.get("/countries.json").json()["countries"]}
    assert names["RUS"] == "Russia" and "Russian Federation" not in names.values()
    profile = api.get("/country/Russian Federation.json").json()
    assert profile["country"]["name"] == "Russia"
    assert profile["actors"]["RUS"] == "Russia"


def test_favicon_is_served(api):
    r = api.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"] in ("image/x-icon",
                                                                  "image/vnd.microsoft.icon")
    assert r.content[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert 'rel="icon"' in api.get("/methodology", headers=HTML).text



def test_quadrant_figure_draws_interval_bars_start_points_and_arrows():
    from sharppower.web.figures import quadrant

    points = [{"target": "KEN", "attraction": 60.0, "attraction_ci_low": 55.0,
               "attraction_ci_high": 65.0, "influence": 0.7, "influence_ci_low": 0.6,
               "influence_ci_high": 0.75, "quadrant": "both"}]
    moves = [{"target": "KEN", "name": "Kenya", "influence_from": 0.4, "influence_to": 0.7,
              "attraction_from": 48.0, "attraction_to": 60.0}]
    fig = quadrant(points, moves, "Favourable", "Influence", {"attraction": 50, "influence": 0.5})
    dots = fig["data"][-1]
    assert dots["error_x"]["array"] == [pytest.approx(0.05)]
    assert dots["error_x"]["arrayminus"] == [pytest.approx(0.1)]
    assert dots["error_y"]["array"] == [5.0] and dots["error_y"]["arrayminus"] == [5.0]
    start = fig["data"][0]
    assert start["x"] == [0.4] and start["marker"]["symbol"] == "circle-open"
    arrow = fig["layout"]["annotations"][0]
    assert (arrow["ax"], arrow["ay"], arrow["x"], arrow["y"]) == (0.4, 48.0, 0.7, 60.0)
    assert arrow["showarrow"] and arrow["arrowhead"] > 0 and arrow["axref"] == "x"


def test_the_default_year_is_explained_by_coverage_and_staleness():
    from sharppower.web.scoretext import year_reason

    counts = {2020: 190, 2021: 195, 2022: 208, 2023: 60}
    stale = {2020: 0.2, 2021: 0.35, 2022: 0.72, 2023: 0.9}
    text = year_reason(2021, sorted(counts), counts, 100, False, "countries ranked", stale, 0.6)
    assert text.startswith("Showing 2021: the latest year with at least 100 countries ranked "
                           "on mostly current data (at most 60% of the components stale")
    assert "(2022: 208, 72% stale, 2023: 60, 90% stale)" in text  # more ranked, but stale
    plain = year_reason(2021, [2021, 2022], {2021: 150, 2022: 40}, 100, False)
    assert "stale" not in plain and "fewer countries with a value (2022: 40)" in plain
    assert year_reason(2022, sorted(counts), counts, 100, True).startswith(
        "Showing 2022, the year chosen (208")
