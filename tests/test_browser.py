"""The dashboard in Debian's Chromium (Playwright): the map draws country shapes, a click
opens a profile, a weight slider re-ranks, a narrative's script never runs, the static
report draws from file://. Every request off 127.0.0.1 is refused, recorded and must not
happen."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_web_support import add_index_inputs, add_opinion, client, input_pillars, make_app

pytestmark = pytest.mark.browser

CODER = "coder-token-for-browser-tests"
XSS = ('<p>Ordinary text.</p><script>window.__pwned=1</script>'
       '<img src=x onerror="window.__pwned=2"><a href="javascript:window.__pwned=3">x</a>')


@pytest.fixture(scope="module")
def chromium_ok():
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")


@pytest.fixture
def site(demo_db, conf, chromium_ok):
    """A served demo store (SQLite and PostgreSQL) and a browser page guarded off-host."""
    from sharppower.web.browser import browser_page, serve_in_thread

    add_opinion(demo_db)
    add_index_inputs(demo_db)
    app = make_app(conf, demo_db)
    api = client(app)
    token = api.post("/api/users", json={"name": "bea", "role": "coder"},
                     headers={"Authorization": "Bearer admin-secret"}).json()["token"]
    blocked: list[str] = []
    with serve_in_thread(app) as base, browser_page(blocked) as page:
        yield {"base": base, "page": page, "blocked": blocked, "token": token, "api": api}
    assert blocked == [], f"requests left 127.0.0.1: {blocked}"


def shapes(page, selector: str) -> int:
    return page.eval_on_selector_all(f"{selector} path.choroplethlocation", "els => els.length")


def test_map_draws_country_shapes(site):
    page = site["page"]
    page.goto(site["base"] + "/map?measure=att_favorable&year=2022")
    page.wait_for_selector("#map[data-drawn='1']")
    assert shapes(page, "#map") > 150  # every world-atlas country, grey when no data
    fills = page.evaluate("""() => Array.from(document.querySelectorAll(
        '#map .trace.choropleth')[1].querySelectorAll('path.choroplethlocation'))
        .map(e => getComputedStyle(e).fill)""")
    assert len(fills) == 3  # SWE, AUS, KOR have a 2022 value; the others stay grey
    assert all(f != "rgb(217, 217, 217)" for f in fills)


def test_clicking_a_country_opens_its_profile(site):
    page = site["page"]
    page.goto(site["base"] + "/map?measure=att_favorable&year=2022")
    page.wait_for_selector("#map[data-drawn='1']")
    box = page.evaluate("""() => {
        const gd = document.getElementById('map');
        const trace = gd.calcdata[1];
        const i = trace.findIndex(d => d.loc === 'AUS');
        const r = gd.querySelectorAll('.trace.choropleth')[1]
                   .querySelectorAll('path.choroplethlocation')[i].getBoundingClientRect();
        return {x: r.x + r.width / 2, y: r.y + r.height / 2};
    }""")
    page.mouse.move(box["x"] - 5, box["y"])
    page.mouse.move(box["x"], box["y"])  # plotly clicks the point under the hover
    page.mouse.click(box["x"], box["y"])
    page.wait_for_url("**/country/AUS?year=2022")  # the map keeps its year
    assert "Australia" in page.locator("h1").inner_text()


def rank_of(page, target: str) -> int:
    return int(page.locator(f"#ranking tr[data-target='{target}'] td.rank").inner_text())


def test_moving_a_weight_slider_changes_a_rank(site):
    page = site["page"]
    page.goto(site["base"] + "/weights")
    assert rank_of(page, "KEN") == 1 and rank_of(page, "KHM") > 1
    pressure = input_pillars()[1]  # KEN leads by leaders' visits, KHM by trade and arms
    slider = page.locator(f"#w-{pressure}")
    slider.focus()
    for _ in range(4):  # from 1.0 down to 0 in steps of 0.5 (keyboard, as a person would)
        page.keyboard.press("ArrowLeft")
    # locator waits, not wait_for_function: the CSP forbids evaluating strings in the page
    from playwright.sync_api import expect

    page.locator("body[data-ranked]").wait_for(state="attached")
    expect(page.locator(f"#o-{pressure}")).to_have_text("0")
    expect(page.locator("#ranking tr[data-target='KHM'] td.rank")).to_have_text("1")
    assert rank_of(page, "KHM") == 1 and rank_of(page, "KEN") == 5
    assert f"w.{pressure}=0" in page.url


def test_a_narrative_with_a_script_does_not_execute(site):
    page, api = site["page"], site["api"]
    record = {"title": "Probe <script>window.__pwned=4</script>", "actors": ["CHN"],
              "target": "SWE", "start_date": "2022", "narrative": XSS,
              "sources": [{"url": "https://example.org/probe", "publisher": "Probe"}],
              "indicators": ["sp_media_capture"]}
    r = api.post("/api/evidence", json=record, headers={"Authorization": f"Bearer {site['token']}"})
    assert r.status_code == 201
    rid = r.json()["id"]
    for path in (f"/evidence/{rid}", "/evidence?target=SWE", "/country/SWE"):
        page.goto(site["base"] + path)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__pwned") is None, path
        assert page.locator("text=Ordinary text.").count() >= 1
        assert page.locator(".narrative script, .narrative img").count() == 0
        page.locator(".narrative a").evaluate_all("els => els.forEach(e => e.click())")
        assert page.evaluate("window.__pwned") is None, path


def test_propose_form_posts_with_the_token(site):
    page = site["page"]
    page.goto(site["base"] + "/evidence/new")
    page.fill("input[name=token]", site["token"])
    page.fill("input[name=title]", "Form-made record")
    page.fill("input[name=target]", "Kenya")
    page.fill("input[name=start_date]", "2022-05")
    page.fill("input[name=source_url]", "https://example.org/form")
    page.select_option("select[name=indicators]", ["sp_media_capture"])
    page.click("form#propose-form button")
    page.wait_for_url("**/evidence/ev-*")
    assert "Form-made record" in page.locator("h1").inner_text()
    assert "proposed" in page.content()


def test_static_report_opens_from_file_and_draws(demo_db, tmp_path, chromium_ok):
    from sharppower.report import write_report
    from sharppower.web.browser import browser_page

    add_opinion(demo_db)
    write_report(demo_db, tmp_path / "site")
    blocked: list[str] = []
    with browser_page(blocked) as page:
        page.goto((tmp_path / "site" / "index.html").as_uri())
        page.wait_for_selector("#map[data-drawn='1']")
        assert shapes(page, "#map") > 150
        page.goto((tmp_path / "site" / "country" / "SWE.html").as_uri())
        page.wait_for_selector("[data-figure='fig-att_favorable'][data-drawn='1']")
        assert page.locator("[data-figure='fig-att_favorable'] .scatterlayer .trace").count() >= 2
        page.click("text=Methodology")
        assert page.url.endswith("methodology.html")
        page.click("text=Downloads")
        assert page.locator("a[href='downloads/observations.csv']").count() == 1
    assert blocked == []
