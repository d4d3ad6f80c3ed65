"""Issue 23 in Chromium (Playwright): the downloads page's filter form downloads the scores
of one actor, year and level, and says what each column means; the map lists the targets
left out of the ranking with the reason in plain words. Every request off 127.0.0.1 is
refused and must not happen."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from test_web_support import build_index_with_one_vote, make_app

pytestmark = pytest.mark.browser


@pytest.fixture
def site(demo_db, conf):
    """A served demo store with index inputs (KEN has exposure and pressure but no effect
    pillar, TZA a UN vote only) and a stored index run."""
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it")
    from sharppower.web.browser import browser_page, serve_in_thread

    build_index_with_one_vote(demo_db)
    blocked: list[str] = []
    with serve_in_thread(make_app(conf, demo_db)) as base, browser_page(blocked) as page:
        yield {"base": base, "page": page}
    assert blocked == [], f"requests left 127.0.0.1: {blocked}"


def test_the_filter_form_downloads_one_actor_year_and_level(site):
    page = site["page"]
    page.goto(site["base"] + "/downloads")
    page.select_option("#score-filter select[name=actor]", "CHN")
    page.select_option("#score-filter select[name=year]", "2021")
    page.select_option("#score-filter select[name=level]", "pillar")
    with page.expect_download() as info:
        page.click("#score-filter button:not([formaction])")
    download = info.value
    assert download.suggested_filename == "index_scores-CHN-2021-pillar.csv"
    frame = pd.read_csv(io.StringIO(Path(download.path()).read_text("utf-8")))
    assert len(frame) > 0 and set(frame["actor"]) == {"CHN"}
    assert set(frame["year"]) == {2021} and set(frame["level"]) == {"pillar"}
    page.click("#dictionary-index_scores summary")
    meaning = page.inner_text("#dictionary-index_scores")
    assert "score_low" in meaning and "95% interval" in meaning


def test_the_map_says_in_words_why_a_target_is_not_ranked(site):
    page = site["page"]
    page.goto(site["base"] + "/map?actor=CHN&measure=index:index:influence&year=2021")
    page.wait_for_selector("#map[data-drawn='1']")
    page.click("#not-ranked summary")
    text = page.inner_text("#not-ranked")
    assert "Kenya" in text and "data on only" in text and "a score needs all of them" in text
    assert "coverage" not in text and "<" not in text
