"""Iran and the United States scored beside China and Russia on the store built from the
whole mirror (`built_store`): every actor ranks the world, on the components its sources
give it, and the rankings are ones a regional expert would recognise."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sharppower.cli import app
from sharppower.index import scores
from sharppower.index.components import components_by_actor


@pytest.fixture(scope="module")
def index2020(built_store):
    _, db = built_store
    return {a: scores(db, actor=a, year=2020).set_index("target") for a in ("IRN", "USA")}


def test_iran_and_the_united_states_rank_at_least_150_targets(built_store):
    conf, _ = built_store
    for actor in ("IRN", "USA"):
        out = CliRunner().invoke(app, ["index", "show", "--actor", actor, "--year", "2020",
                                       "--db", conf.database_url, "--json"])
        assert out.exit_code == 0, out.output
        rows = json.loads(out.output)
        assert len({r["target"] for r in rows if r["node"] == "influence"}) >= 150, actor


def test_the_rankings_are_believable(index2020, built_store):
    irn, usa = index2020["IRN"], index2020["USA"]
    top_irn = set(irn.nsmallest(15, "rank").index)
    assert {"AFG", "SYR"} <= top_irn  # neighbours and allies
    assert irn.loc["SYR", "rank"] < irn.loc["SAU", "rank"] and "USA" not in top_irn
    # the adversaries: at the bottom of each other's exposure and effect, at the top of
    # each other's pressure (the latent pressure pillar enters the index: issue 22)
    _, db = built_store
    pillars = scores(db, year=2020, level="pillar").set_index(["actor", "node", "target"])
    for actor, target in (("IRN", "USA"), ("USA", "IRN"), ("USA", "SYR")):
        n = len(pillars.loc[(actor, "effect")])
        assert pillars.loc[(actor, "effect", target), "rank"] > 0.75 * n, (actor, target)
        assert pillars.loc[(actor, "pressure", target), "rank"] <= 5, (actor, target)
    assert "ISR" not in irn.index  # no trade between them in DOTS: no exposure, not ranked
    top_usa = set(usa.nsmallest(15, "rank").index)
    assert {"ISR", "CAN"} <= top_usa and len(top_usa & {"JPN", "GBR", "AUS", "KOR"}) >= 2
    assert "USA" not in usa.index and "PRI" not in usa.index  # its own territory
    assert "IRN" not in irn.index


def test_each_actor_lists_the_components_its_sources_give_it(built_store):
    _, db = built_store
    comps = components_by_actor(db)
    domains = comps.groupby("actor")["domain"].apply(set)
    generic = {"trade_dependence", "arms_dependence", "un_alignment", "public_opinion"}
    for actor in ("CHN", "RUS", "IRN", "USA"):
        assert generic <= domains[actor], actor
    assert {"institutes", "finance_investment", "elite_engagement"} <= domains["CHN"]
    assert not ({"institutes", "finance_investment", "bri_alignment"} & domains["USA"])
    usa_trade = comps[(comps["actor"] == "USA") & (comps["domain"] == "trade_dependence")].iloc[0]
    assert usa_trade["sources"] == ["imf-dots"] and usa_trade["observed"] > 1000
