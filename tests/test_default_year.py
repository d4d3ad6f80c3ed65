"""One default-year rule, per actor (`index.nodes.default_year`), on every page and
command: a store where China's index runs to 2017 and Russia's sources end in 2014 (its
later years rest wholly on carried values, so its default year is 2014); the map,
quadrant, weights and country pages and `sharppower index show` each show each actor's
own year, and the country profile shows every actor side by side; a third actor declared in
a codebook is shown beside them with no code change. Both backends."""

from __future__ import annotations

import json

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
    assert "2015: 24, 100% stale" in web.get("/map.json", params={"actor": "RUS"}).json()[
        "year_reason"]


def test_the_profile_shows_every_actor_side_by_side_in_its_own_year(two_years):
    db, web = two_years
    target = min(TARGETS)
    data = web.get(f"/country/{target}.json").json()
    blocks = {b["actor"]: b for b in data["by_actor"]}
    assert list(blocks) == list(load_codebook().actors)
    assert (blocks["CHN"]["year"], blocks["RUS"]["year"]) == (2017, RUS_END)
    for actor, block in blocks.items():
        assert block["colour"] == load_codebook().actor_info[actor].colour
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
    assert all(f'data-actor="{a}"' in html for a in blocks)
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
def three_actors(db, conf, tmp_path, monkeypatch):
    """A codebook declaring a third actor, Iran (a user's codebook, as `load_codebook`
    reads it), whose synthetic sources end in 2016: three actors, three default years."""
    from importlib import resources

    import yaml

    import sharppower.codebook as cb
    from sharppower.index.spec import spec_from_dict

    text = resources.files("sharppower.codebook").joinpath("v1.yaml").read_text("utf-8")
    rus = next(line for line in text.splitlines() if line.startswith("  - {iso3: RUS"))
    text = text.replace(rus, rus + '\n  - {iso3: IRN, name: Iran, colour: "#1e8449", '
                                   "kind: authoritarian}")
    text = text.replace("actors: [CHN, RUS]", "actors: [CHN, RUS, IRN]")  # dyadic sources
    (tmp_path / "codebook.yaml").write_text(text, encoding="utf-8")
    real = cb.load_codebook
    book = real(tmp_path / "codebook.yaml")
    monkeypatch.setattr(cb, "load_codebook", lambda path=None: book if path is None else real(path))
    cb.packaged_codebook.cache_clear()
    obs = synthetic_observations(3, TARGETS, range(2012, 2018))
    irn = obs[(obs["actor"] == "RUS") & (obs["year"] <= 2016)].assign(
        actor="IRN", value=lambda f: f["value"] * 0.9)
    obs = obs[~((obs["actor"] == "RUS") & (obs["year"] > RUS_END))]
    write_observations(db, pd.concat([obs, irn], ignore_index=True), TARGETS)
    data = yaml.safe_load(resources.files("sharppower").joinpath(
        "specs", "influence.yaml").read_text("utf-8"))
    spec = spec_from_dict({**data, "actors": list(book.actors)}, codebook=book)
    spec.uncertainty = {**spec.uncertainty, "runs": 20}
    build_index(db, spec)
    yield db, client(make_app(conf, db)), book
    cb.packaged_codebook.cache_clear()


def test_a_third_declared_actor_is_shown_beside_the_others(three_actors):
    db, web, book = three_actors
    assert list(book.actors) == ["CHN", "RUS", "IRN"]
    target = min(TARGETS)
    data = web.get(f"/country/{target}.json").json()
    assert [(b["actor"], b["year"]) for b in data["by_actor"]] == [
        ("CHN", 2017), ("RUS", RUS_END), ("IRN", 2016)]
    iran = data["by_actor"][2]
    assert iran["name"] == "Iran" and iran["colour"] == "#1e8449"
    stored = scores(db, "IRN", 2016, level="index").set_index("target")
    assert next(r for r in iran["scores"] if r["node"] == "influence")["value"] == pytest.approx(
        stored.loc[target, "score"])
    html = web.get(f"/country/{target}").text
    assert "Iran (2016)" in html and '"#1e8449"' in html  # its column; its trend line
    shown = web.get("/map.json", params={"actor": "IRN", "measure": "index:index:influence"})
    assert shown.json()["year"] == 2016 and shown.json()["colour"] == "#1e8449"
    assert web.get("/quadrant.json", params={"actor": "IRN"}).json()["year"] == 2016
    assert '<option value="IRN"' in web.get("/map").text  # the actor picker
    components = {a["actor"]: a for a in web.get("/methodology.json").json()["components"]}
    assert set(components) == {"CHN", "RUS", "IRN"}
    lacking = [x for d in components["IRN"]["domains"] for x in d["lacking"]]
    assert any("measures CHN only" in x["why"] for x in lacking)
