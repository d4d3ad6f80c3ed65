"""Influence v2 in the engine, on realistic synthetic observations and the default spec:
partial components, pillars kept out of the index, declared zeros as an assumption, and
data noise (standard errors, staleness) in the Monte Carlo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sharppower.index import execute, load_spec
from sharppower.index.detail import component_detail
from sharppower.index.inputs import inputs_from_observations
from sharppower.index.noise import change_sd, relative_sd
from sharppower.index.stages import transform
from sharppower.index.synthetic import REGIONS, synthetic_observations
from sharppower.index.uncertainty import monte_carlo

TARGETS = {t: r for t, r in REGIONS.items() if r in ("Asia", "Europe", "Americas", "Africa")}
YEARS = range(2012, 2022)


@pytest.fixture(scope="module")
def spec():
    s = load_spec()
    s.uncertainty = {**s.uncertainty, "runs": 60, "score_runs": 60}
    return s


@pytest.fixture(scope="module")
def run(spec):
    obs = synthetic_observations(4, TARGETS, YEARS)
    return execute(spec, inputs_from_observations(obs, spec, TARGETS))


def _untracked(run, actor="CHN"):
    units = run.inputs.units
    return [i for i, (a, t, _) in enumerate(units) if a == actor and TARGETS[t] in ("Asia", "Africa")]


def test_a_partial_component_enters_only_where_its_source_covers(run):
    leaf = run.tree.leaves.index("prs_recorded_interference")
    rows = _untracked(run)
    assert not run.screened.cells[rows, leaf].any()  # never imputed where not covered
    assert run.data.imputed["prs_recorded_interference"].iloc[rows].isna().all()
    assert run.scores["recorded_interference"].iloc[rows].isna().all()
    assert run.scores["pressure"].iloc[rows].notna().all()  # the core components score them
    detail = component_detail(run).set_index(["actor", "target", "year", "node"])
    asia = detail.loc[("CHN", "PAK", 2015, "influence")]
    europe = detail.loc[("CHN", "DEU", 2015, "influence")]
    assert "recorded_interference" not in asia["components"].split(";")
    assert "recorded_interference" in europe["components"].split(";")
    assert set(asia["components"].split(";")) & set(europe["components"].split(";"))


def test_a_pillar_with_partial_data_only_stays_out_of_the_index(run):
    rus = run.scores.loc["RUS"]
    tracked = rus[rus["pressure"].notna()]
    assert len(tracked) and rus["pressure"].isna().any()
    w = run.weights
    expected = (tracked["exposure"] * w.get("exposure", 1) + tracked["effect"] * w.get("effect", 1)) \
        / (w.get("exposure", 1) + w.get("effect", 1))
    assert np.allclose(tracked["influence"], expected)
    pos = run.tree.nodes.index("pressure")
    actors = run.inputs.units.get_level_values("actor")
    assert not run.screened.feeds[np.asarray(actors == "RUS"), pos].any()
    assert run.screened.feeds[np.asarray(actors == "CHN"), pos].all()


def test_declared_zeros_become_missing_under_the_other_assumption(run):
    zero = run.inputs.zero
    assert zero["exp_arms_share_5yr"].any() and not zero["exp_trade_share"].any()
    missing = {**run.log, "impute": {**run.log["impute"], "absent": "missing"}}
    a = transform(run.inputs.values, run.screened.cells, run.inputs.region, run.directions,
                  run.log, zero=zero)
    b = transform(run.inputs.values, run.screened.cells, run.inputs.region, run.directions,
                  missing, zero=zero)
    cells = zero["exp_arms_share_5yr"].to_numpy()
    assert (a.imputed["exp_arms_share_5yr"][cells] == 0).all()
    assert (b.imputed["exp_arms_share_5yr"][cells] > 0).any()  # imputed from the region
    fresh = ~zero.to_numpy()
    assert np.allclose(a.imputed.to_numpy()[fresh], b.imputed.to_numpy()[fresh], equal_nan=True)


def test_noise_only_on_stale_values_and_published_errors(run):
    inputs = run.inputs
    age = inputs.cell_frame("age")
    se = inputs.cell_frame("se")
    se.loc[:, "att_favorable"] = np.where(inputs.values["att_favorable"].notna(), 2.0, np.nan)
    rel = relative_sd(inputs.values, se, age)
    stale = (age.to_numpy() > 0)
    k = list(inputs.values.columns).index("exp_trade_share")
    assert (rel[stale[:, k], k] > 0).all() and stale[:, k].any()
    fresh_no_se = (age.to_numpy() == 0) & np.isnan(se.to_numpy())
    assert (rel[fresh_no_se] == 0).all()
    fav = list(inputs.values.columns).index("att_favorable")
    assert (rel[inputs.values["att_favorable"].notna().to_numpy(), fav] > 0).all()
    lags = change_sd(inputs.values, age, 3)
    assert (lags[0] == 0).all() and (lags[1:, k] > 0).all()


def test_score_intervals_hold_the_score_and_widen_with_staleness(run):
    table = monte_carlo(run, runs=60, seed=3)
    index = table[table["node"] == "influence"].merge(
        run.long(level="index")[["actor", "target", "year", "score"]],
        on=["actor", "target", "year"])
    assert (index["score_low"] <= index["score"]).all()
    assert (index["score"] <= index["score_high"]).all()
    width = (index["score_high"] - index["score_low"]).groupby(index["year"]).median()
    assert width.loc[2021] > width.loc[2014]  # trade, leaders and investment stale by 2021
    assert {"impute.absent", "data_noise"} <= set(run.extra["monte_carlo"]["factors"])
    assert "normalise.method" not in run.extra["monte_carlo"]["score_factors"]


def test_stale_values_fill_years_after_the_source_ends(run):
    age = run.inputs.cell_frame("age")
    trade = age["exp_trade_share"].xs(2021, level="year")
    assert (trade.dropna() == 2).all() and trade.notna().any()  # trade ends 2019
    leaders = age["prs_leader_visits"].xs(("CHN", 2021), level=("actor", "year"))
    assert (leaders.dropna() == 3).all()
    assert pd.isna(age["prs_leader_visits"].xs("RUS", level="actor")).all()  # China only


def test_an_actors_own_territories_are_never_its_targets(spec):
    """The codebook declares Hong Kong and Macao China's own: they are scored for Russia
    only, like any target, and never for China (as China never scores against itself)."""
    assert spec.territories["CHN"] == ["HKG", "MAC"]
    targets = {**TARGETS, "HKG": "Asia", "MAC": "Asia"}
    obs = synthetic_observations(4, targets, range(2019, 2021))
    assert {"HKG", "MAC"} <= set(obs.loc[obs["actor"].isna() | (obs["actor"] == "CHN"), "target"])
    units = inputs_from_observations(obs, spec, targets).units
    chn = set(units[units.get_level_values("actor") == "CHN"].get_level_values("target"))
    rus = set(units[units.get_level_values("actor") == "RUS"].get_level_values("target"))
    assert not {"HKG", "MAC", "CHN"} & chn and {"HKG", "MAC"} <= rus
    assert set(TARGETS) - {"CHN"} <= chn
