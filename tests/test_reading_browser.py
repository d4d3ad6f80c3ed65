"""Issue 23 in Chromium (Playwright): what a reader sees says each score's scale and
direction (the profile's score table, the map's values)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_web_support import add_index_inputs, add_opinion, make_app

pytestmark = pytest.mark.browser


@pytest.fixture
def site(demo_db, conf):
    from sharppower.index.build import build_index
    from sharppower.web.browser import browser_page, serve_in_thread

    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    add_opinion(demo_db)
    add_index_inputs(demo_db)
    build_index(demo_db, runs=20, seed=1)
    blocked: list[str] = []
    with serve_in_thread(make_app(conf, demo_db)) as base, browser_page(blocked) as page:
        yield {"base": base, "page": page}
    assert blocked == [], f"requests left 127.0.0.1: {blocked}"


def test_a_reader_sees_each_scores_scale_and_direction(site):
    page = site["page"]
    page.goto(site["base"] + "/country/KEN?year=2021")
    rows = page.eval_on_selector_all(
        "#scores tbody tr", "rows => rows.map(r => r.cells[0].innerText)")
    first = next(r for r in rows if r.startswith("Influence index"))
    assert "0-100, higher = more influence" in first
    resilient = [r for r in rows if "Resilience" in r or "Press freedom" in r]
    assert resilient and all("higher = more resilient" in r for r in resilient)
    assert "a different number" in page.inner_text(".attraction-note")
    page.goto(site["base"] + "/map?actor=CHN&measure=index:index:influence&year=2021")
    page.wait_for_selector("#map[data-drawn='1']")
    assert "scores 0-100, higher = more influence" in page.inner_text("main")
