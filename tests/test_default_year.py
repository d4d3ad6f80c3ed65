"""One default-year rule, per actor (`index.nodes.default_year`), on every page and
command: a store where China's index runs to 2017 and Russia's sources end in 2014 (its
later years rest wholly on carried values, so its default year is 2014); the map,
quadrant, weights and country pages and `sharppower index show` each show each actor's
own year, and the country profile shows every actor side by side; a third actor declared in
a codebook is shown beside them with no code change. Both backends."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from test_web_support import client, make_app
from typer.testing import CliRunner

from sharppower.codebook import load_codebook
from sharppower.index import build_index, load_spec, scores
from sharppower.index.nodes import default_year
from sharppower.index.synthetic import REGIONS, synthetic_observations, write_observations

TARGETS = dict(list(REGIONS.items())[:24])
RUS_END = 2014


@pytest.fixture
def two_years(db, conf):
    obs = synthetic_observations(3, TARGETS, range(2012, 2018))
    obs = obs[~((obs["actor"] == "RUS") & (obs["year"] > RUS_END))]
    write_observations(db, obs, TARGETS)
    spec = load_spec()
    spec.uncertainty = {**spec.uncertainty, "runs": 20}
    build_index(db, spec)
    return db, client(make_app(conf, db))


def test_each_page_shows_each_actors_own_default_year(two_years):
    db, web = two_years
    years = {a: default_year(db, a) for a in ("CHN", "RUS")}
    assert years == {"CHN": 2017, "RUS": RUS_END}  # RUS 2015-2017: only carried values
    for actor, year in years.items():
        shown = web.get("/map.json", params={"actor": actor,
                                             "measure": "index:index:influence"}).json()
        assert shown["year"] == year, actor
        stored = scores(db, actor, year, level="index")
        assert {r["target"]: r["value"] for r in shown["values"]} == pytest.approx(
            dict(zip(stored["target"], stored["score"])))
        assert f"Showing {year}" in shown["year_reason"]
        quadrant = web.get("/quadrant.json", params={"actor": actor}).json()
        assert quadrant["year"] == year and quadrant["placed"] > 0, actor
        weights = web.get("/weights.json", params={"actor": actor}).json()
        assert weights["year"] == year, actor
    reason = web.get("/map.json", params={"actor": "RUS"}).json()["year_reason"]
    stale = re.search(r"2015: 24, (\d+)% stale", reason)  # why the later years are not shown
    assert stale and int(stale.group(1)) > 60, reason  # display.max_stale_share: 60%


def test_the_profile_shows_every_actor_side_by_side_in_its_own_year(two_years):
    db, web = two_years
    target = min(TARGETS)
    data = web.get(f"/country/{target}.json").json()
    blocks = {b["actor"]: b for b in data["by_actor"]}
    assert list(blocks) == list(load_codebook().actors)
    assert (blocks["CHN"]["year"], blocks["RUS"]["year"]) == (2017, RUS_END)
    for actor, block in blocks.items():
        assert block["colour"] == load_codebook().actor_info[actor].colour
        if actor not in ("CHN", "RUS"):  # declared, no synthetic data: not scored, and why
            influence = next(r for r in block["scores"] if r["node"] == "influence")
            assert influence["value"] is None and influence["not_scored"], actor
            continue
        stored = scores(db, actor, block["year"], level=None)
        stored = stored[stored["target"] == target].set_index("node")
        rows = {r["node"]: r for r in block["scores"]}
        index = rows["influence"]
        assert index["value"] == pytest.approx(stored.loc["influence", "score"])
        assert index["rank"] == stored.loc["influence", "rank"]
        assert index["ci_low"] <= index["value"] <= index["ci_high"]
        assert index["components"] == stored.loc["influence", "components"]
        assert index["coverage"] == pytest.approx(stored.loc["influence", "coverage"])
        for r in block["scores"]:  # a score, or "not scored" with the reason
            assert (r["value"] is None) == bool(r["not_scored"]), (actor, r["node"])
    lacking = [r for r in blocks["RUS"]["scores"] if r["level"] == "domain" and r["not_scored"]]
    assert any("its sources do not measure it" in r["not_scored"] for r in lacking)
    html = web.get(f"/country/{target}").text
    assert all(f'data-actor="{a}"' in html for a in blocks)  # every declared actor
    assert f"Russia ({RUS_END})" in html and "China (2017)" in html
    asked = web.get(f"/country/{target}.json", params={"year": 2013}).json()
    assert {b["year"] for b in asked["by_actor"]} == {2013}


def test_index_show_without_a_year_uses_the_default_year(two_years):
    from sharppower.cli import app

    db, _ = two_years
    url = db.engine.url.render_as_string(hide_password=False)
    if not db.is_sqlite:
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{db.schema}"
    out = CliRunner().invoke(app, ["index", "show", "--actor", "RUS", "--db", url, "--json"])
    assert out.exit_code == 0, out.output
    shown = json.loads(out.output)
    stored = scores(db, "RUS", RUS_END, level="index")
    assert {r["target"]: r["score"] for r in shown} == pytest.approx(
        dict(zip(stored["target"], stored["score"])))


@pytest.fixture
def added_actor(db, conf, tmp_path, monkeypatch):
    """Turkey declared in a user codebook (SHARPPOWER_CODEBOOK, beside the packaged actors),
    with synthetic sources ending in 2016: one more actor, its own default year."""
    import yaml

    import sharppower.codebook as cb
    from sharppower.index.spec import spec_from_dict

    user = tmp_path / "turkey.yaml"
    user.write_text(yaml.safe_dump({"actors": [{"iso3": "TUR", "name": "Turkey",
                                                "colour": "#e67e22", "kind": "comparator"}]}),
                    encoding="utf-8")
    monkeypatch.setenv("SHARPPOWER_CODEBOOK", str(user))
    cb._cached_codebook.cache_clear()
    book = cb.packaged_codebook()
    obs = synthetic_observations(3, TARGETS, range(2012, 2018))
    tur = obs[(obs["actor"] == "RUS") & (obs["year"] <= 2016)].assign(
        actor="TUR", value=lambda f: f["value"] * 0.9)
    obs = obs[~((obs["actor"] == "RUS") & (obs["year"] > RUS_END))]
    write_observations(db, pd.concat([obs, tur], ignore_index=True), TARGETS)
    from importlib import resources
    data = yaml.safe_load(resources.files("sharppower").joinpath(
        "specs", "influence.yaml").read_text("utf-8"))
    spec = spec_from_dict({**data, "actors": list(book.actors)}, codebook=book)
    spec.uncertainty = {**spec.uncertainty, "runs": 20}
    build_index(db, spec)
    yield db, client(make_app(conf, db)), book
    monkeypatch.delenv("SHARPPOWER_CODEBOOK")
    cb._cached_codebook.cache_clear()


def test_an_added_actor_is_shown_beside_the_others(added_actor):
    db, web, book = added_actor
    assert list(book.actors) == ["CHN", "RUS", "IRN", "USA", "TUR"]
    target = min(TARGETS)
    data = web.get(f"/country/{target}.json").json()
    years = {b["actor"]: b["year"] for b in data["by_actor"]}
    assert list(years) == list(book.actors)
    assert (years["CHN"], years["RUS"], years["TUR"]) == (2017, RUS_END, 2016)
    turkey = data["by_actor"][-1]
    assert turkey["name"] == "Turkey" and turkey["colour"] == "#e67e22"
    stored = scores(db, "TUR", 2016, level="index").set_index("target")
    assert next(r for r in turkey["scores"] if r["node"] == "influence")["value"] == (
        pytest.approx(stored.loc[target, "score"]))
    html = web.get(f"/country/{target}").text
    assert "Turkey (2016)" in html and '"#e67e22"' in html  # its column; its trend line
    shown = web.get("/map.json", params={"actor": "TUR", "measure": "index:index:influence"})
    assert shown.json()["year"] == 2016 and shown.json()["colour"] == "#e67e22"
    assert web.get("/quadrant.json", params={"actor": "TUR"}).json()["year"] == 2016
    assert '<option value="TUR"' in web.get("/map").text  # the actor picker
    components = {a["actor"]: a for a in web.get("/methodology.json").json()["components"]}
    assert set(components) == set(book.actors)
    lacking = [x for d in components["TUR"]["domains"] for x in d["lacking"]]
    assert any("measures CHN only" in x["why"] for x in lacking)
