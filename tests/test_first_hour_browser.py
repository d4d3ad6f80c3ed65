# ruff: noqa: F811 - `site` is the fixture imported from test_browser
"""Issue 11 in Debian's Chromium: the evidence form searches without a year, the profile's
year picker and a map click keep the year, interval bars and move arrows are drawn, no
shortcode reaches the page, a browser gets an HTML error page (an API client JSON), and
the country finder opens a profile from an alias. Requests off 127.0.0.1 are refused."""

from __future__ import annotations

import pytest
from test_browser import chromium_ok, site  # noqa: F401 - fixtures (ruff: F811 below)

pytestmark = pytest.mark.browser
SHORTCODED = ('<p>[fusion_builder_container type="flex" hundred_percent="no"][fusion_builder_row]'
              '[fusion_text]</p><p>Clean narrative about a port deal.</p>'
              '<p>[/fusion_text][/fusion_builder_row][/fusion_builder_container]</p>')


def test_evidence_form_searches_without_a_year(site):
    page = site["page"]
    page.goto(site["base"] + "/evidence")
    page.fill("input[name=q]", "")
    page.click("form.controls button")
    page.wait_for_load_state("load")
    assert "year=" in page.url  # the form sent the empty field, as every browser does
    assert page.locator("h1").inner_text() == "Evidence"
    assert "records" in page.locator("main").inner_text()


def test_profile_year_picker_and_map_click_keep_the_year(site):
    page = site["page"]
    page.goto(site["base"] + "/map?measure=att_favorable&year=2021")
    page.wait_for_selector("#map[data-drawn='1']")
    assert "2021, the year chosen" in page.locator("#year-reason").inner_text()
    assert page.locator("#map").get_attribute("data-link").endswith("?year=2021")
    box = page.evaluate("""() => {
        const gd = document.getElementById('map');
        const i = gd.calcdata[1].findIndex(d => d.loc === 'SWE');
        const r = gd.querySelectorAll('.trace.choropleth')[1]
                   .querySelectorAll('path.choroplethlocation')[i].getBoundingClientRect();
        return {x: r.x + r.width / 2, y: r.y + r.height / 2};
    }""")
    page.mouse.move(box["x"] - 3, box["y"])
    page.mouse.move(box["x"], box["y"])
    page.mouse.click(box["x"], box["y"])
    page.wait_for_url("**/country/SWE?year=2021")
    assert "2021" in page.locator("#year-reason").inner_text()
    page.goto(site["base"] + "/country/SWE")
    shown = page.locator("#year-reason").inner_text()  # no index run: the latest survey
    assert "China 2022" in shown and "Russia 2022" in shown
    options = page.locator("#year-form select option").all_inner_texts()
    assert {"2019", "2021", "2022"} <= set(options)
    page.select_option("#year-form select", "2019")
    page.wait_for_url("**/country/SWE?year=2019")
    assert "the year chosen" in page.locator("#year-reason").inner_text()


def test_interval_bars_and_move_arrows_are_drawn(site):
    page = site["page"]
    page.goto(site["base"] + "/quadrant?attraction=favorable&influence=influence")
    page.wait_for_load_state("load")
    page.goto(site["base"] + "/map?measure=att_favorable&year=2022")
    page.wait_for_selector("#map[data-drawn='1']")
    hover = page.evaluate("() => document.getElementById('map').data[1].text.join('|')")
    assert "95% interval" in hover
    page.goto(site["base"] + "/country/SWE")
    page.wait_for_selector("[data-figure='fig-att_favorable'][data-drawn='1']")
    bands = page.evaluate("""() => document.querySelector("[data-figure='fig-att_favorable']")
        .data.filter(t => t.fill === 'toself').length""")
    assert bands >= 1  # the shaded 95% band of each actor's series


def test_no_shortcode_reaches_profile_or_evidence(site):
    page, api = site["page"], site["api"]
    record = {"title": "Port deal", "actors": ["CHN"], "target": "KOR", "start_date": "2021",
              "narrative": SHORTCODED, "indicators": ["sp_media_capture"],
              "sources": [{"url": "https://example.org/port", "publisher": "Example"}]}
    r = api.post("/api/evidence", json=record, headers={"Authorization": f"Bearer {site['token']}"})
    assert r.status_code == 201, r.text
    for path in ("/country/KOR", "/evidence?target=KOR", f"/evidence/{r.json()['id']}"):
        page.goto(site["base"] + path)
        text = page.locator(".narrative").first.inner_text()
        assert "Clean narrative about a port deal." in text, path
        assert "[fusion" not in page.locator("main").inner_text(), path


def test_bad_input_gives_a_browser_an_html_page_and_an_api_client_json(site):
    page = site["page"]
    page.goto(site["base"] + "/map")
    page.goto(site["base"] + "/evidence?year=twenty")
    assert page.locator("#error-message").inner_text().startswith("query.year")
    assert page.locator("header nav a", has_text="Map").count() == 1
    page.click("#error-back")
    page.wait_for_url("**/map")
    page.goto(site["base"] + "/country/Atlantis")
    assert "unknown country 'Atlantis'" in page.locator("#error-message").inner_text()
    api = site["api"]
    r = api.get("/country/Atlantis", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.json()["error"] == "NotFound"


def test_country_finder_opens_a_profile_from_an_alias(site):
    page = site["page"]
    page.goto(site["base"] + "/methodology")
    options = page.locator("#finder-countries option")
    assert options.count() > 300  # every country and the aliases the sources use
    page.fill("#finder-input", "Korea, Rep.")
    page.press("#finder-input", "Enter")
    page.wait_for_url("**/country/KOR")
    assert "South Korea" in page.locator("h1").inner_text()
    page.fill("#finder-input", "Russian Federation")
    page.press("#finder-input", "Enter")
    page.wait_for_url("**/country/RUS")
    assert page.locator("h1").inner_text().startswith("Russia")
