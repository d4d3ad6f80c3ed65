"""The "new actor" recipe end to end: Turkey declared in a user codebook (no package file
touched) is measured by the actor-generic sources and scored by a build."""

from __future__ import annotations

from dataclasses import replace

import pytest
import yaml

from sharppower.build import build
from sharppower.index import scores
from sharppower.index.components import components_by_actor
from sharppower.settings import Settings
from sharppower.sources.registry import SOURCES
from sharppower.sources.snapshot import pull
from sharppower.store import Database

GENERIC = ("countries", "imf-dots", "sipri-arms-transfers", "unga-voting")


@pytest.fixture(scope="module")
def turkey_store(tmp_path_factory):
    from conftest import require_mirror

    mirror = require_mirror()
    root = tmp_path_factory.mktemp("turkey")
    user = root / "turkey.yaml"
    user.write_text(yaml.safe_dump({"actors": [
        {"iso3": "TUR", "name": "Turkey", "kind": "comparator", "colour": "#e67e22"}]}), "utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SHARPPOWER_CODEBOOK", str(user))
        conf = Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 's.db'}",
                        mirror=mirror)
        for name in GENERIC:  # only the sources Turkey needs: the others have no snapshot
            pull(conf, SOURCES[name])
        conf = replace(conf, mirror=None, index_runs=20, store_profiles=False)
        db = Database(conf.database_url)
        results = build(conf, db)
        yield db, results
    db.dispose()


def test_turkey_is_measured_by_every_actor_generic_source(turkey_store):
    db, results = turkey_store
    rows = db.read("SELECT source, COUNT(DISTINCT target) AS targets FROM observations "
                   "WHERE actor = 'TUR' GROUP BY source")
    assert set(rows["source"]) == {"imf-dots", "sipri-arms-transfers", "unga-voting"}
    assert (rows["targets"] > 150).all()
    warnings = [w for r in results for w in r.warnings]
    assert not any("declared actor TUR" in w for w in warnings)
    agree = db.read("SELECT flags FROM observations WHERE actor = 'TUR' AND "
                    "indicator = 'eff_unga_agreement' AND year = 2019")
    assert agree["flags"].str.contains("from_rollcalls").all()  # no column in the file


def test_turkey_is_scored_and_its_ranking_is_believable(turkey_store):
    db, _ = turkey_store
    index = scores(db, actor="TUR", year=2019).set_index("target")
    assert len(index) >= 150
    top = index.nsmallest(20, "rank").index
    # Azerbaijan, Turkmenistan and Georgia: Turkey's neighbours, trade and arms partners
    assert {"AZE", "TKM", "GEO"} <= set(top), list(top)
    assert index.loc["AZE", "rank"] < index.loc["USA", "rank"]
    assert index.loc["ARM", "rank"] > index.loc["AZE", "rank"]  # no ties with Armenia
    assert "TUR" not in index.index


def test_the_index_lists_turkeys_components(turkey_store):
    db, _ = turkey_store
    comps = components_by_actor(db)
    tur = comps[comps["actor"] == "TUR"].set_index("domain")
    assert set(tur.index) == {"trade_dependence", "arms_dependence", "un_alignment"}
    assert tur.loc["trade_dependence", "sources"] == ["imf-dots"]
    assert tur.loc["un_alignment", "indicators"] == ["eff_unga_agreement", "eff_unga_hr_agreement"]
