"""Issue 23: filtered score downloads (library, CLI, route) checked against the stored run,
the weights page's re-rank from the kept normalised matrix, and the map's "not ranked"
reasons in plain words. Both backends where the store is touched."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from test_evidence_cli import url_of
from test_web_support import (
    add_index_inputs,
    add_opinion,
    build_index_with_one_vote,
    client,
    input_pillars,
    make_app,
)
from typer.testing import CliRunner

from sharppower.errors import ValidationError


@pytest.fixture
def scored(demo_db, conf):
    """The demo store with the index inputs of the web fixture and a stored index run."""
    from sharppower.index.build import build_index

    add_index_inputs(demo_db)
    build_index(demo_db, runs=20, seed=1)
    return demo_db, client(make_app(conf, demo_db))


def one_line(text: str) -> str:
    return " ".join(text.split())



def _same(a, b) -> bool:
    """Two page payloads equal as the page serves them (JSON after `clean`)."""
    from sharppower.web.render import clean

    return json.loads(json.dumps(clean(a))) == json.loads(json.dumps(clean(b)))


def _stored_per_actor(db, page: str, compute, actors: list[str], version) -> None:
    """Each actor's stored `page` is there, is that actor's, and equals `compute(db, actor)`."""
    from sharppower.web.profiles import stored_page

    for actor in actors:
        kept = stored_page(db, f"{page}:{actor}", version)
        assert kept is not None and kept["actor"] == actor
        assert _same(kept, compute(db, actor))

def test_export_keeps_only_the_filtered_scores(scored, tmp_path):
    from sharppower.index.store import export_scores, scores

    db, _ = scored
    every = scores(db, level=None)
    assert {"index", "pillar", "domain"} <= set(every["level"])
    n = export_scores(db, tmp_path / "p.csv", "csv", actor="chn", year=2021, level="pillar")
    got = pd.read_csv(tmp_path / "p.csv")
    want = every[(every["actor"] == "CHN") & (every["year"] == 2021)
                 & (every["level"] == "pillar")]
    assert n == len(got) == len(want) > 0 and n < len(every)
    assert set(got["node"]) == set(want["node"]) and set(got["level"]) == {"pillar"}
    pillar = want["node"].iloc[0]
    n = export_scores(db, tmp_path / "n.parquet", "parquet", actor="CHN", node=pillar)
    one = pd.read_parquet(tmp_path / "n.parquet")
    assert n == len(one) == int((every["node"] == pillar).sum()) and set(one["node"]) == {pillar}


@pytest.mark.parametrize("filters, field, words", [
    ({"actor": "XYZ"}, "actor", "one of CHN"),
    ({"year": 1950}, "year", "a year the stored run scores"),
    ({"level": "region"}, "level", "one of index, pillar, domain"),
    ({"node": "nowhere"}, "node", "influence"),
    ({"level": "domain", "node": "influence"}, "node", "at level domain"),
])
def test_a_wrong_filter_names_the_parameter_and_the_valid_values(scored, tmp_path, filters,
                                                                   field, words):
    from sharppower.index.store import export_scores

    db, _ = scored
    with pytest.raises(ValidationError) as err:
        export_scores(db, tmp_path / "x.csv", **filters)
    assert err.value.field == field and words in str(err.value)
    assert not (tmp_path / "x.csv").exists()


def test_cli_export_filters(scored, tmp_path):
    from sharppower.cli import app

    db, _ = scored
    out = tmp_path / "s.csv"
    runner = CliRunner()
    res = runner.invoke(app, ["index", "export", "--actor", "CHN", "--year", "2021",
                              "--level", "index", "--out", str(out), "--db", url_of(db)])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out)
    assert set(got["level"]) == {"index"} and set(got["year"]) == {2021}
    assert f"wrote {len(got)} rows" in one_line(res.output)
    res = runner.invoke(app, ["index", "export", "--level", "region", "--out", str(out),
                              "--db", url_of(db)])
    assert res.exit_code == 1 and "one of index, pillar, domain" in one_line(res.output)


def test_downloads_route_filters_and_the_page_offers_them(scored):
    _, web = scored
    full = pd.read_csv(io.StringIO(web.get("/downloads/index_scores.csv").text))
    r = web.get("/downloads/index_scores.csv", params={"actor": "CHN", "year": 2021,
                                                        "level": "pillar"})
    assert r.status_code == 200
    assert 'filename="index_scores-CHN-2021-pillar.csv"' in r.headers["content-disposition"]
    part = pd.read_csv(io.StringIO(r.text))
    want = full[(full["actor"] == "CHN") & (full["year"] == 2021) & (full["level"] == "pillar")]
    assert len(part) == len(want) > 0
    # the same published columns, and a pillar's sources come from its domains
    assert list(part.columns) == list(full.columns)
    key = ["target", "node"]
    assert part.sort_values(key).to_csv(index=False) == want.sort_values(key).to_csv(index=False)
    pq = web.get("/downloads/index_scores.parquet", params={"node": "influence"})
    assert set(pd.read_parquet(io.BytesIO(pq.content))["node"]) == {"influence"}
    bad = web.get("/downloads/index_scores.csv", params={"level": "region"})
    assert bad.status_code == 422 and "one of index, pillar, domain" in bad.json()["message"]
    bad = web.get("/downloads/observations.csv", params={"actor": "CHN"})
    assert bad.status_code == 422 and "index_scores only" in bad.json()["message"]
    data = web.get("/downloads.json").json()
    offered = data["score_filters"]
    assert [a["value"] for a in offered["actor"]] == sorted(set(full["actor"]),
                                                             key=["CHN", "RUS", "IRN",
                                                                  "USA"].index)
    assert {y["value"] for y in offered["year"]} == set(full["year"])
    assert {n["value"] for n in offered["node"]} == set(full["node"])
    assert data["score_rows"] == len(full)
    described = {t["name"]: {f["name"]: f["description"] for f in t["fields"]}
                 for t in data["tables"]}
    assert "95% interval" in described["index_scores"]["score_low"]
    html = web.get("/downloads").text
    assert 'id="score-filter"' in html and 'name="node"' in html
    assert 'id="dictionary-index_scores"' in html
    assert "Lower end of the score&#39;s 95% interval" in html or \
        "Lower end of the score's 95% interval" in html


def test_reweighing_the_kept_matrix_equals_a_fresh_engine_run(scored):
    """The re-rank aggregates the kit (the engine run's normalised matrix, also as the build
    stores it: JSON) under new weights: the ranks and scores of a fresh engine run."""
    from sharppower.web.memo import dict_memo
    from sharppower.web.pages.weights import Kit, base_kit, ranking, reweigh

    db, _ = scored
    exposure, pressure = input_pillars()
    memo = dict_memo()
    kit = base_kit(db, memo, "CHN", 2021)
    stored = Kit.from_json(json.loads(json.dumps(kit.to_json())))
    cols = ["target", "score", "rank"]
    for weights in ({}, {pressure: 0.0}, {exposure: 3.5, pressure: 0.5}):
        fresh = ranking(db, "CHN", 2021, weights)[cols].sort_values("target")
        fresh = fresh.reset_index(drop=True)
        for k in (kit, stored):
            fast = reweigh(k, weights)[cols].sort_values("target").reset_index(drop=True)
            pd.testing.assert_frame_equal(fast, fresh, check_dtype=False)
    assert base_kit(db, memo, "CHN", 2021) is kit  # kept, never recomputed


def test_map_not_ranked_reasons_are_plain_words(demo_db, conf):
    """KEN has exposure and pressure but no effect pillar in 2021 while TZA has a UN vote:
    the index needs every pillar, so KEN is left out of the index ranking; the map says why
    in words, in the table and in the tooltip."""
    from sharppower.web.figures import choropleth

    build_index_with_one_vote(demo_db)
    web = client(make_app(conf, demo_db))
    params = {"measure": "index:index:influence", "actor": "CHN", "year": 2021}
    data = web.get("/map.json", params=params).json()
    left = {r["target"]: r["reason"] for r in data["not_ranked"]}
    assert "KEN" in left
    for reason in left.values():
        assert reason.startswith("data on only ") and "of the pillars it combines" in reason
        assert "<" not in reason and "cross-section" not in reason and "coverage" not in reason
    hover = choropleth(data)["data"][-1]["text"]
    assert all("not ranked<br>data on only" in h and "coverage" not in h for h in hover)
    html = web.get("/map", params=params).text
    assert "a score needs all of them" in html and "&lt; 100%" not in html


def test_the_build_stores_the_default_pages_served_while_current(scored):
    """The default map and weights page of each actor, the downloads page and the evidence
    browser's first page and the methodology page are stored by the profiles step, equal to the computed ones (the
    weights page with its kit: a re-rank then equals a fresh engine run), served while
    current and ignored once the store changed (a new index run; a review for the pages
    that show the ledger)."""
    from sharppower.codebook import packaged_codebook
    from sharppower.index.build import build_index
    from sharppower.web.cache import store_version
    from sharppower.web.pages.country import store_profiles
    from sharppower.web.pages.downloads import downloads_data
    from sharppower.web.pages.evidence import evidence_data
    from sharppower.web.pages.map import map_data
    from sharppower.web.pages.methodology import methodology_data
    from sharppower.web.pages.weights import ranking, weights_data
    from sharppower.web.profiles import stored_page

    db, web = scored
    done = store_profiles(db)
    version = store_version(db)
    for actor in packaged_codebook().actors:
        assert _same(stored_page(db, f"map:{actor}", version), map_data(db, actor))
        assert _same(stored_page(db, f"weights:{actor}", version), weights_data(db, actor))
    assert stored_page(db, "downloads", version) is None  # stamped with the whole version
    assert _same(stored_page(db, "downloads", version, whole=True), downloads_data(db))
    assert _same(stored_page(db, "evidence", version, whole=True), evidence_data(db))
    kept = stored_page(db, "methodology", version, whole=True)
    assert kept["validity"] and _same(kept, methodology_data(db))
    served = web.get("/methodology.json").json()  # with the page's `starter_only` flag
    assert _same({k: v for k, v in served.items() if k in kept}, kept) and set(kept) < set(served)
    assert done["pages"] >= 2 * len(packaged_codebook().actors) + 2
    served = web.get("/weights.json").json()
    assert served["rows"] == stored_page(db, "weights:CHN", version)["rows"]
    _, pressure = input_pillars()
    moved = web.get("/weights.json", params={f"w.{pressure}": 0}).json()
    fresh = ranking(db, "CHN", served["year"], {pressure: 0.0})
    assert {r["target"]: r["rank"] for r in moved["rows"]} == dict(zip(fresh["target"],
                                                                       fresh["rank"]))
    again = store_profiles(db)  # nothing changed: re-stamped, not computed
    assert again["pages"] == done["pages"]
    build_index(db, runs=20, seed=2)  # a new run: the stored pages are no longer current
    assert stored_page(db, "map:CHN", store_version(db)) is None


def test_the_stored_quadrant_equals_the_computed_one_and_is_dropped_when_the_store_changes(
        scored, conf, monkeypatch):
    """Each actor's default quadrant (its default year, no moves, the default axes) is stored
    by the profiles step, equal to the computed one; the route serves it while the store is
    the one it was computed from (a marker written into the stored row shows through), and
    computes the page again once a new index run changed the store."""
    from sharppower.codebook import packaged_codebook
    from sharppower.index import nodes
    from sharppower.index.build import build_index
    from sharppower.index.spec import load_spec
    from sharppower.store.database import insert_rows
    from sharppower.store.tables import observations
    from sharppower.web.cache import store_version
    from sharppower.web.pages.country import store_profiles
    from sharppower.web.pages.quadrant import quadrant_data
    from sharppower.web.profiles import stored_page
    from sharppower.web.render import clean
    from sharppower.web.tables import page_data

    db, web = scored
    spec = load_spec()
    spec.min_ranked = 3  # the demo's five scored targets make a default year
    monkeypatch.setattr(nodes, "load_spec", lambda *a, **k: spec)
    add_opinion(db)  # favourable views: a few targets, and four of the scored ones
    rows = [{"actor": "CHN", "target": t, "year": 2021, "indicator": "att_favorable",
             "value": v, "unit": "percent of adults", "se": 1.5, "source": "test-fixture",
             "source_file": __file__, "source_row": t}
            for t, v in {"KEN": 61.0, "PAK": 72.0, "ZMB": 44.0, "LAO": 38.0}.items()]
    with db.begin() as conn:
        insert_rows(conn, observations, rows)
    store_profiles(db)
    version = store_version(db)
    actors = list(packaged_codebook().actors)
    _stored_per_actor(db, "quadrant", quadrant_data, actors, version)
    placed = stored_page(db, "quadrant:CHN", version)
    assert placed["year"] == 2021 and {p["target"] for p in placed["points"]} >= {
        "KEN", "PAK", "ZMB", "LAO"}

    def mark(actor: str) -> None:
        key = f"quadrant:{actor}"
        payload = {**stored_page(db, key, version), "year_reason": "MARK from the store"}
        with db.begin() as conn:
            conn.execute(page_data.update().where(page_data.c.key == key)
                         .values(payload=json.dumps(clean(payload))))

    mark(actors[0])
    mark(actors[1])
    assert web.get("/quadrant.json").json()["year_reason"] == "MARK from the store"
    second = web.get("/quadrant.json", params={"actor": actors[1]}).json()
    assert second["year_reason"] == "MARK from the store" and second["actor"] == actors[1]
    # anything but the default page is computed
    for params in ({"actor": "CHN", "year": 2021}, {"actor": "CHN", "attraction": "net"}):
        assert web.get("/quadrant.json", params=params).json()["year_reason"] != (
            "MARK from the store")
    build_index(db, runs=20, seed=2)  # a new run: the stored quadrants are no longer current
    assert stored_page(db, f"quadrant:{actors[0]}", store_version(db)) is None
    served = client(make_app(conf, db)).get("/quadrant.json").json()  # a server started now
    assert served["year_reason"] != "MARK from the store"
    assert _same({k: served[k] for k in ("points", "thresholds", "year")},
                {k: v for k, v in quadrant_data(db, actors[0]).items()
                 if k in ("points", "thresholds", "year")})


def test_the_stored_vulnerability_ranking_equals_the_computed_one_and_is_served_while_current(
        scored):
    """Each actor's default vulnerability ranking is stored by the profiles step, equal to the
    computed one; the route serves it (a marker written into the stored row shows through)
    and stops serving it once a new index run changed the store."""
    from sharppower.codebook import packaged_codebook
    from sharppower.index.build import build_index
    from sharppower.web.cache import store_version
    from sharppower.web.pages.country import store_profiles
    from sharppower.web.pages.vulnerability import vulnerability_data
    from sharppower.web.profiles import stored_page
    from sharppower.web.render import clean
    from sharppower.web.tables import page_data

    db, web = scored
    store_profiles(db)
    version = store_version(db)
    actors = list(packaged_codebook().actors)
    _stored_per_actor(db, "vulnerability", vulnerability_data, actors, version)
    key = f"vulnerability:{actors[0]}"
    payload = {**stored_page(db, key, version), "year_reason": "MARK from the store"}
    with db.begin() as conn:
        conn.execute(page_data.update().where(page_data.c.key == key)
                     .values(payload=json.dumps(clean(payload))))
    assert web.get("/vulnerability.json").json()["year_reason"] == "MARK from the store"
    build_index(db, runs=20, seed=2)  # a new run: the stored ranking is no longer current
    assert stored_page(db, key, store_version(db)) is None
