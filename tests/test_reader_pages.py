"""Pages an analyst reads, on a store of realistic synthetic observations with a built
index: the vulnerability ranking as a page (/vulnerability, HTML and JSON) and a command
(`sharppower vulnerability`): values recomputed from the stored pillar scores, intervals
and rank ranges that hold their value, the scale in words, page and command agreeing; the
methodology page: generated from the spec and the store (structure, stages, what the
uncertainty analysis varies, each component's sources and coverage), no raw spec dump."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_web_support import client, make_app
from typer.testing import CliRunner

from sharppower.index import build_index, load_spec
from sharppower.index.synthetic import REGIONS, synthetic_observations, write_observations
from sharppower.settings import Settings
from sharppower.store import Database

YEAR = 2015


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    root = tmp_path_factory.mktemp("vulnerability")
    db = Database(f"sqlite:///{root / 'store.db'}")
    db.upgrade()
    write_observations(db, synthetic_observations(11, REGIONS, range(2013, 2017)), REGIONS)
    spec = load_spec()
    spec.uncertainty = {**spec.uncertainty, "runs": 20, "sensitivity_runs": 0}
    build_index(db, spec)
    conf = Settings(data_dir=root / "data", database_url=db.url, mirror=None, store_profiles=False,
                    client_budget=0)
    yield db, client(make_app(conf, db))
    db.dispose()


def stored_pillar(db, node: str) -> dict[str, float]:
    frame = db.read("SELECT target, score FROM index_scores WHERE actor = 'CHN' AND year = :y "
                    "AND level = 'pillar' AND node = :n AND run_id = (SELECT MAX(run_id) FROM "
                    "index_scores) AND score IS NOT NULL", {"y": YEAR, "n": node})
    return dict(zip(frame["target"], frame["score"]))


def test_page_values_are_the_stored_pillars_combined(indexed):
    db, web = indexed
    data = web.get("/vulnerability.json", params={"actor": "CHN", "year": YEAR}).json()
    assert data["year"] == YEAR and data["scale"] == "0-1, higher = more vulnerable"
    p, r = stored_pillar(db, "pressure"), stored_pillar(db, "resilience")
    both = sorted(set(p) & set(r))
    assert len(both) >= 10 and data["ranked"] == len(both)

    def scaled(d):
        lo, hi = min(d[t] for t in both), max(d[t] for t in both)
        return {t: (d[t] - lo) / (hi - lo) for t in both}
    ps, rs = scaled(p), scaled(r)
    expected = {t: ps[t] * (1 - rs[t]) for t in both}
    got = {row["target"]: row for row in data["rows"]}
    assert set(got) == set(both)
    for t in both:
        row = got[t]
        assert row["vulnerability"] == pytest.approx(expected[t], abs=1e-9)
        assert row["pressure"] == pytest.approx(p[t]) and row["resilience"] == pytest.approx(r[t])
        if row["vulnerability_ci_low"] is not None:
            assert row["vulnerability_ci_low"] - 1e-12 <= row["vulnerability"] <= row["vulnerability_ci_high"] + 1e-12
        assert row["rank_best"] <= row["rank"] <= row["rank_worst"]
    values = [row["vulnerability"] for row in data["rows"]]
    assert values == sorted(values, reverse=True)  # most vulnerable first
    top = data["rows"][0]["target"]
    assert top == max(expected, key=expected.get)
    # the vulnerable flag: pressure at or above, resilience at or below the medians
    mp, mr = np.median([p[t] for t in both]), np.median([r[t] for t in both])
    assert {t for t in both if got[t]["vulnerable"]} == {t for t in both if p[t] >= mp and r[t] <= mr}


def test_page_says_the_scale_and_what_it_rests_on(indexed):
    _, web = indexed
    html = web.get("/vulnerability", params={"actor": "CHN", "year": YEAR}).text
    assert "0-1, higher = more vulnerable" in html
    assert "pressure pillar" in html and "resilience pillar" in html
    assert 'id="ranking"' in html and 'name="actor"' in html and 'name="year"' in html
    bad = web.get("/vulnerability.json", params={"actor": "XXX"})
    assert bad.status_code == 422 and "unknown actor" in bad.json()["message"]


def test_command_prints_the_page_ranking(indexed):
    from sharppower.cli import app

    db, web = indexed
    data = web.get("/vulnerability.json", params={"actor": "CHN", "year": YEAR}).json()
    runner = CliRunner()
    out = runner.invoke(app, ["vulnerability", "--actor", "CHN", "--year", str(YEAR), "--db",
                              db.url, "--json"])
    assert out.exit_code == 0, out.output
    rows = [r for r in json.loads(out.stdout) if r["vulnerability"] is not None]
    assert [r["target"] for r in rows] == [r["target"] for r in data["rows"]]
    text = runner.invoke(app, ["vulnerability", "--actor", "chn", "--year", str(YEAR), "--top",
                               "5", "--db", db.url], env={"COLUMNS": "80"})
    assert text.exit_code == 0, text.output
    said = " ".join(text.output.split())
    assert f"CHN {YEAR}: {len(rows)} targets ranked" in said and "higher = more vulnerable" in said
    for r in data["rows"][:5]:
        assert f"{r['rank']} {r['rank_best']}-{r['rank_worst']} {r['target']} {round(r['vulnerability'], 3)}" in said
    # without --year: the year the page shows by default
    default = web.get("/vulnerability.json", params={"actor": "CHN"}).json()
    plain = runner.invoke(app, ["vulnerability", "--db", db.url, "--json"])
    assert plain.exit_code == 0, plain.output
    assert {r["year"] for r in json.loads(plain.stdout)} == {default["year"]}
    bad = runner.invoke(app, ["vulnerability", "--actor", "XXX", "--db", db.url])
    assert bad.exit_code == 1 and "unknown actor" in " ".join(bad.output.split())


def test_methodology_is_the_spec_and_the_store_in_words(indexed):
    from sharppower.codebook import load_codebook

    db, web = indexed
    data = web.get("/methodology.json").json()
    spec = load_spec()
    # the structure is the spec's, pillar by pillar, domain by domain
    assert [p["node"] for p in data["structure"]] == list(spec.pillars)
    for p in data["structure"]:
        assert [d["node"] for d in p["domains"]] == list(spec.pillars[p["node"]])
        for d in p["domains"]:
            assert [i["code"] for i in d["indicators"]] == spec.pillars[p["node"]][d["node"]]
            assert d["partial"] == (d["node"] in spec.stages["screen"]["partial"])
    pressure = next(p for p in data["structure"] if p["node"] == "pressure")
    assert pressure["latent"] and pressure["role"].startswith("in the")
    resilience = next(p for p in data["structure"] if p["node"] == "resilience")
    assert resilience["role"] == "scored alongside, not in an index"
    # coverage: the distinct targets and years with a value, read here independently
    rows = {i["code"]: i for p in data["structure"] for d in p["domains"] for i in d["indicators"]}
    counted = db.read("SELECT actor, indicator, COUNT(DISTINCT target) AS t, COUNT(DISTINCT year) "
                      "AS y FROM observations WHERE value IS NOT NULL GROUP BY actor, indicator")
    checked = 0
    for r in counted.to_dict("records"):
        if r["indicator"] in rows and r["indicator"] not in spec.derived:
            cov = {c["actor"]: c for c in rows[r["indicator"]]["coverage"]}
            actor = r["actor"] if isinstance(r["actor"], str) else None  # a target-only one
            assert (cov[actor]["targets"], cov[actor]["years"]) == (r["t"], r["y"])
            checked += 1
    assert checked >= 10
    book = load_codebook().indicators.set_index("code")
    for code, row in rows.items():
        if code not in spec.derived:
            assert row["sources"] == [book.loc[code, "source"]] and row["source_names"]
    # the stages and the uncertainty analysis read from the spec and the stored run
    text = " ".join(s["text"] for s in data["steps"])
    assert f"{spec.stages['screen']['unit_threshold']:.0%}" in text and "min-max" in text
    assert [v["setting"] for v in data["uncertainty"]["varied"]] == list(spec.uncertainty["vary"])
    runs = db.scalar("SELECT mc_runs FROM index_runs ORDER BY id DESC LIMIT 1")
    assert data["uncertainty"]["runs"] == runs
    assert data["latent_validation"] is None  # `validate --internal` not run on this store
    html = web.get("/methodology").text
    assert 'id="diagram"' in html and 'id="loso-none"' in html and "validate --internal" in html
    for forbidden in ("index_specs", "influence_v1", "In index", '"normalise"', "{&#34;"):
        assert forbidden not in html, forbidden
    for p in spec.pillars:  # every pillar in the diagram
        assert f'data-pillar="{p}"' in html


@pytest.fixture(scope="module")
def browser(indexed):
    """The synthetic store served, a Chromium page guarded off-host."""
    from pathlib import Path

    from sharppower.web.browser import browser_page, serve_in_thread

    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it")
    _, web = indexed
    blocked: list[str] = []
    with serve_in_thread(web.app) as base, browser_page(blocked) as page:
        yield base, page, web
    assert blocked == [], f"requests left 127.0.0.1: {blocked}"


@pytest.mark.browser
def test_browser_vulnerability_picks_an_actor_and_reads_its_scale(browser):
    base, page, web = browser
    page.goto(base + "/vulnerability")
    assert "0-1, higher = more vulnerable" in page.locator("#scale").inner_text()
    page.select_option("select[name=actor]", "RUS")
    page.select_option("select[name=year]", str(YEAR))
    page.click("form.controls button")
    page.wait_for_url("**/vulnerability?actor=RUS*")
    assert page.locator("h1").inner_text().startswith("Vulnerability to Russia")
    data = web.get("/vulnerability.json", params={"actor": "RUS", "year": YEAR}).json()
    first = page.locator("#ranking tbody tr").first
    assert first.get_attribute("data-target") == data["rows"][0]["target"]
    cells = first.locator("td").all_inner_texts()
    assert cells[0] == "1" and f"{data['rows'][0]['vulnerability']:.2f}" in cells[3]
    assert page.locator("#ranking tbody tr").count() == data["ranked"]
    assert page.locator("#rests-on").is_visible()


@pytest.mark.browser
def test_browser_methodology_shows_a_diagram_not_a_spec_dump(browser):
    base, page, _ = browser
    page.goto(base + "/methodology")
    assert page.locator("#diagram .pillar").count() == len(load_spec().pillars)
    assert page.locator("#diagram .pillar[data-pillar=pressure]").inner_text().find("latent") > 0
    assert page.locator("pre").count() == 0  # no raw specification
    assert page.locator("#steps dt").count() == 7
    assert page.locator("#varied tbody tr").count() == len(load_spec().uncertainty["vary"])
    assert page.locator("table.components .coverage").count() > 20


@pytest.mark.browser
def test_browser_quadrant_moves_state_their_one_threshold(browser):
    base, page, web = browser
    data = web.get("/quadrant.json", params={"actor": "CHN", "year": 2016, "from_year": 2013,
                                             "influence": "influence"}).json()
    mt = data["move_thresholds"]
    assert mt["year"] == 2016 and mt["influence"] == pytest.approx(data["thresholds"]["influence"])
    assert len(data["moves"]) >= 5
    for m in data["moves"]:  # each move's quadrants against the one threshold
        for end in ("from", "to"):
            a, i = m[f"attraction_{end}"], m[f"influence_{end}"]
            want = {(True, True): "both", (False, True): "influence_without_attraction",
                    (True, False): "attraction_without_influence", (False, False): "neither"}[
                (a >= mt["attraction"], i >= mt["influence"])]
            assert m[f"quadrant_{end}"] == want
    page.goto(base + "/quadrant?actor=CHN&year=2016&from_year=2013")
    said = page.locator("#move-threshold").inner_text()
    assert "one threshold per axis, the 2016 one" in said
    assert f"influence {mt['influence']:,.2f}" in said and "for both years" in said
