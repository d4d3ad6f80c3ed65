"""An actor's scores and intervals do not depend on which other actors a run holds: the
Monte Carlo noise of a unit is drawn from a stream keyed by its actor and its place among
that actor's units, and blocks of cross-sections never mix actors (with all four declared
actors the rank intervals of Russia moved by about one rank before, because its units
shifted position behind Iran's)."""

from __future__ import annotations

import pandas as pd
import pytest

from sharppower.index import build_index, load_spec
from sharppower.index.synthetic import REGIONS, synthetic_observations, write_observations

TARGETS = dict(list(REGIONS.items())[:30])


def _run(db, actors):
    spec = load_spec()
    spec.actors = list(actors)
    spec.uncertainty = {**spec.uncertainty, "runs": 60, "score_runs": 40}
    build_index(db, spec)
    out = db.read("SELECT s.actor, s.target, s.year, s.node, s.score, s.rank, s.rank_low, "
                  "s.rank_high, s.rank_median, s.score_low, s.score_high FROM index_scores s "
                  "JOIN index_runs r ON r.id = s.run_id WHERE r.id = (SELECT MAX(id) FROM "
                  "index_runs)")
    return out.sort_values(["actor", "target", "year", "node"]).reset_index(drop=True)


def test_adding_an_actor_leaves_the_others_scores_and_intervals_unchanged(db):
    obs = synthetic_observations(5, TARGETS, range(2014, 2019))
    extra = obs[obs["actor"] == "RUS"].assign(actor="IRN", value=lambda f: f["value"] * 0.7)
    write_observations(db, pd.concat([obs, extra], ignore_index=True), TARGETS)
    two = _run(db, ["CHN", "RUS"])
    three = _run(db, ["CHN", "IRN", "RUS"])  # Iran's units sort between China's and Russia's
    assert set(three["actor"]) == {"CHN", "IRN", "RUS"}
    same = three[three["actor"] != "IRN"].reset_index(drop=True)
    assert len(same) == len(two) > 0
    for column in ("score", "rank", "rank_low", "rank_high", "rank_median", "score_low",
                   "score_high"):
        assert same[column].to_numpy() == pytest.approx(two[column].to_numpy(), nan_ok=True), column
    assert (two["rank_high"] > two["rank_low"]).any()  # the intervals are not degenerate
