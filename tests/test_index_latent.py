"""The latent measurement model (sharppower.index.latent) on simulated data.

One simulated actor x pillar: 48 targets x 10 years, a latent random walk, five
indicators of the three codebook types, each its own source. Targets 0-23 are seen by all
five sources; targets 24-47 by two only (the other three are outside those sources'
universe: missing, no likelihood term). Targets 40-47 are moreover seen only in years
0-3 (the sources' universe ends there). One fit (module fixture, seeded) serves the
recovery and interval tests; store tests fit a smaller problem on SQLite and PostgreSQL.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import pearsonr

from sharppower.index.latent.data import pillar_data
from sharppower.index.latent.fit import diagnose, fit_pillar
from sharppower.index.latent.measure import measure
from sharppower.index.latent.outputs import display, index_draws, summarise
from sharppower.index.latent.store import read_fits, read_scores, save_scores
from sharppower.index.spec import load_spec

KINDS = {"a": "continuous", "b": "continuous", "c": "count", "d": "binary", "e": "count"}
DIRS = {"a": 1, "b": -1, "c": 1, "d": 1, "e": 1}
SETTINGS = {"steps": 2000, "draws": 400, "seed": 7, "lr": 0.02}


def simulate(T=48, Y=10, seed=3, actor="CHN"):
    rng = np.random.default_rng(seed)
    theta = rng.normal(0, 1, (T, 1)) + np.cumsum(
        np.concatenate([np.zeros((T, 1)), rng.normal(0, 0.25, (T, Y - 1))], axis=1), axis=1)
    idx = pd.MultiIndex.from_product([[actor], [f"T{t:02d}" for t in range(T)],
                                      range(2010, 2010 + Y)], names=["actor", "target", "year"])
    th = theta.reshape(-1)
    values = pd.DataFrame({
        "a": 0.9 * th + rng.normal(0, 0.5, th.size),
        "b": -0.7 * th + rng.normal(0, 0.5, th.size),
        "c": rng.poisson(np.exp(0.8 + 0.8 * th)).astype(float),
        "d": (rng.random(th.size) < 1 / (1 + np.exp(-1.5 * th))).astype(float),
        "e": rng.poisson(np.exp(0.3 + 0.6 * th)).astype(float)}, index=idx)
    tgt = np.repeat(np.arange(T), Y)
    yr = np.tile(np.arange(Y), T)
    few = tgt >= T // 2
    values.loc[few, ["b", "d", "e"]] = np.nan          # outside three sources' universe
    values.loc[(tgt >= T - 8) & (yr >= 4), :] = np.nan  # seen in years 0-3 only
    return values, theta


def data_of(values, actor="CHN"):
    return pillar_data(values, None, actor, "pressure", list(KINDS), KINDS, DIRS,
                       {c: f"src_{c}" for c in KINDS})


@pytest.fixture(scope="module")
def fitted():
    values, theta = simulate()
    return fit_pillar(data_of(values), SETTINGS), theta


def test_recovers_the_simulated_latent(fitted):
    # 48 x 10 target-years, 5 indicators with noise sd about half the latent's loading:
    # the posterior mean tracks the truth closely where sources see the target (0.9 is
    # well under the r = 0.97-0.98 such a design gives, well over what noise alone gives).
    fit, theta = fitted
    seen = np.zeros_like(theta, bool)
    seen[:40] = True
    seen[40:, :4] = True
    mean = fit.theta.mean(axis=0)
    assert pearsonr(mean[seen], theta[seen])[0] > 0.9
    assert fit.diagnostics["converged"], fit.diagnostics


def test_fewer_sources_give_wider_intervals(fitted):
    fit, _ = fitted
    width = np.quantile(fit.theta, 0.975, axis=0) - np.quantile(fit.theta, 0.025, axis=0)
    _, n_src = fit.data.seen_counts()
    assert n_src[:24].min() == 5 and n_src[24:40].max() == 2
    assert np.median(width[n_src <= 2]) > 1.2 * np.median(width[n_src >= 4])


def test_missing_outside_the_universe_adds_nothing(fitted):
    fit, _ = fitted
    width = np.quantile(fit.theta, 0.975, axis=0) - np.quantile(fit.theta, 0.025, axis=0)
    # targets 40-47 after year 3: no observation, only the random walk: wider and growing
    assert np.median(width[40:, 6:]) > 1.2 * np.median(width[24:40, 6:])
    assert (width[40:, 9] > width[40:, 4]).mean() > 0.8
    # no likelihood term: the data hold no row for a missing cell
    obs = fit.data.obs
    assert not ((obs["t"] >= 40) & (obs["y"] >= 4)).any()
    assert not ((obs["t"] >= 24) & obs["i"].isin([1, 3, 4])).any()


def test_a_declared_zero_is_evidence_and_a_missing_value_is_not():
    values, _ = simulate(T=16, Y=4, seed=5)
    zeros = values.copy()
    zeros.loc[zeros.index.get_level_values("target") >= "T08", "e"] = 0.0  # was missing
    d_missing, d_zero = data_of(values), data_of(zeros)
    assert len(d_zero.obs) > len(d_missing.obs)
    assert d_zero.fingerprint(SETTINGS) != d_missing.fingerprint(SETTINGS)


def test_bad_values_are_refused_naming_the_indicator():
    values, _ = simulate(T=8, Y=3)
    values.iloc[2, values.columns.get_loc("c")] = -1.0
    with pytest.raises(ValueError, match=r"indicator c \(CHN, pressure\): a count is negative"):
        data_of(values)
    values, _ = simulate(T=8, Y=3)
    values.iloc[1, values.columns.get_loc("d")] = 0.5
    with pytest.raises(ValueError, match=r"indicator d .* not 0 or 1"):
        data_of(values)


def test_display_scale_and_ranks_from_draws(fitted):
    fit, _ = fitted
    score = display(fit.theta)
    assert score.min() >= 0 and score.max() <= 100
    draw = fit.theta[0].ravel()
    assert (np.diff(score[0].ravel()[np.argsort(draw)]) >= 0).all()  # monotone in theta
    n_ind, n_src = fit.data.seen_counts()
    table = summarise("CHN", "pressure", fit.data.targets, fit.data.years, score, fit.theta,
                      n_ind, n_src)
    last = table[table["year"] == 2019].set_index("target")
    assert len(last) == 48 and sorted(last["rank"]) == list(range(1, 49))
    assert (last["rank_low"] <= last["rank_high"]).all()
    assert (last["score_low"] <= last["score"]).all() and (last["score"] <= last["score_high"]).all()
    assert last.loc["T00", "n_sources"] == 5 and last.loc["T30", "n_sources"] == 2
    assert last.loc["T45", "n_sources"] == 0


def test_index_is_computed_per_draw():
    rng = np.random.default_rng(0)
    latent = rng.uniform(0, 100, (200, 3, 2))
    targets, years = ["AAA", "BBB", "CCC"], [2020, 2021]
    nominal = pd.DataFrame({"exposure": [10.0, 20, 30, 40, 50, np.nan]},
                           index=pd.MultiIndex.from_product([targets, years],
                                                            names=["target", "year"]))
    out = index_draws(["exposure", "pressure"], {"pressure": (targets, years, latent)},
                      nominal, targets, years, 200)
    assert np.allclose(out[:, 0, 0], (latent[:, 0, 0] + 10) / 2)
    assert np.allclose(out[:, 1, 1], (latent[:, 1, 1] + 40) / 2)
    assert np.isnan(out[:, 2, 1]).all()  # a pillar without a score: no index (like with like)
    assert out[:, 0, 0].std() == pytest.approx(latent[:, 0, 0].std() / 2)


def test_diagnostics_flag_a_fit_still_moving():
    assert diagnose(np.linspace(1000, 500, 200))["converged"] is False
    flat = 500 + np.random.default_rng(0).normal(0, 1, 2000)
    out = diagnose(flat)
    assert out["converged"] is True and out["final_elbo"] == pytest.approx(-500, abs=1)


def _spec(steps=400):
    spec = load_spec()
    spec.measurement = {**spec.measurement, "method": "latent", "pillars": ["pressure"],
                        "steps": steps, "draws": 100}
    spec.pillars = {**spec.pillars, "pressure": {"test": list(KINDS)}}
    spec.directions = {**spec.directions, **DIRS}
    spec.kinds = {**spec.kinds, **{c: {"type": k, "source": f"src_{c}", "exposure": None}
                                   for c, k in KINDS.items()}}
    return spec


def _inputs(values):
    from sharppower.index.inputs import Inputs
    region = pd.Series("(none)", index=values.index, dtype=object)
    return Inputs(values, region)


def test_cache_hit_does_not_refit_and_a_change_warm_starts(db):
    values, _ = simulate(T=12, Y=5, seed=11)
    spec = _spec()
    first = measure(spec, _inputs(values), db=db)
    fit = first.fits[("CHN", "pressure")]
    assert fit.diagnostics["cached"] is False
    save_scores(db, first.scores)
    again = measure(spec, _inputs(values), db=db).fits[("CHN", "pressure")]
    assert again.diagnostics["cached"] is True and again.diagnostics["seconds"] == 0.0
    assert np.array_equal(again.theta, fit.theta)
    changed = values.copy()
    changed.iloc[0, 0] += 1.0
    warm = measure(spec, _inputs(changed), db=db).fits[("CHN", "pressure")]
    assert warm.diagnostics["cached"] is False and warm.diagnostics["warm"] is True
    stored = read_fits(db)
    assert list(stored["pillar"]) == ["pressure"] and bool(stored["warm"].iloc[0])
    assert stored["final_elbo"].notna().all()
    scores = read_scores(db, "CHN", "pressure")
    # only the target-years some indicator observed are scored (the others: not covered)
    observed = changed.notna().any(axis=1)
    assert 0 < len(scores) == int(observed.sum()) < 12 * 5
    assert set(zip(scores["target"], scores["year"])) == {
        (t, y) for (_, t, y) in observed[observed].index}
    assert scores["score"].between(0, 100).all()


def test_a_fit_that_does_not_converge_warns_and_is_stored(db):
    values, _ = simulate(T=12, Y=5, seed=12)
    measured = measure(_spec(steps=30), _inputs(values), db=db)
    assert measured.warnings and "did not converge" in measured.warnings[0]
    assert "CHN pressure" in measured.warnings[0]
    stored = read_fits(db)
    assert not bool(stored["converged"].iloc[0]) and stored["steps"].iloc[0] == 30


def test_leave_one_source_out_predicts_each_source_from_the_others():
    from sharppower.index.latent.validate import leave_one_source_out
    values, _ = simulate(T=24, Y=5, seed=21)
    values = values[["a", "b", "c"]]  # three sources, all seeing the same latent
    noise = pd.Series(np.random.default_rng(0).normal(size=len(values)), index=values.index)
    spec = _spec(steps=800)
    spec.pillars["pressure"] = {"test": ["a", "b", "c", "x"]}
    spec.kinds["x"] = {"type": "continuous", "source": "src_x", "exposure": None}
    spec.directions["x"] = 1
    table = leave_one_source_out(spec, _inputs(values.assign(x=noise)))
    assert list(table["source"]) == ["src_a", "src_b", "src_c", "src_x"]
    assert (table["actor"] == "CHN").all() and (table["n"] > 0).all()
    by = table.set_index("source")["spearman"]
    assert by["src_a"] > 0.5 and by["src_c"] > 0.5  # b's negative direction is signed
    assert by["src_b"] > 0.5
    assert abs(by["src_x"]) < 0.3  # pure noise: the others do not predict it


def test_spec_measurement_is_validated_naming_the_field():
    from importlib import resources

    import yaml

    from sharppower.errors import ValidationError
    from sharppower.index.spec import spec_from_dict
    data = yaml.safe_load(resources.files("sharppower").joinpath("specs", "influence.yaml")
                          .read_text("utf-8"))
    assert load_spec().latent_pillars == ["pressure"]
    data["measurement"] = {"method": "latent", "pillars": ["pressur"]}
    with pytest.raises(ValidationError) as err:
        spec_from_dict(data, "x.yaml")
    assert err.value.field == "measurement.pillars[0]"
    data["measurement"] = {"method": "latent", "pillars": ["pressure"], "step": 10}
    with pytest.raises(ValidationError) as err:
        spec_from_dict(data, "x.yaml")
    assert err.value.field == "measurement.step"
    data["measurement"] = {"method": "none"}
    assert spec_from_dict(data, "x.yaml").latent_pillars == []


def test_leave_out_names_domains_of_a_latent_pillar_and_drops_their_indicators():
    from importlib import resources

    import yaml

    from sharppower.errors import ValidationError
    from sharppower.index.latent.measure import data_for
    from sharppower.index.spec import spec_from_dict
    data = yaml.safe_load(resources.files("sharppower").joinpath("specs", "influence.yaml")
                          .read_text("utf-8"))
    data["measurement"] = {"method": "latent", "pillars": ["pressure"],
                           "leave_out": ["trade_dependence"]}  # an exposure domain
    with pytest.raises(ValidationError) as err:
        spec_from_dict(data, "x.yaml")
    assert err.value.field == "measurement.leave_out[0]"
    spec = _spec()
    spec.pillars = {**spec.pillars, "pressure": {"kept": ["a", "c", "d"], "out": ["b", "e"]}}
    values, _ = simulate(T=8, Y=3)
    every = data_for(spec, _inputs(values), "CHN", "pressure")
    spec.measurement = {**spec.measurement, "leave_out": ["out"]}
    fewer = data_for(spec, _inputs(values), "CHN", "pressure")
    assert every.indicators == ["a", "c", "d", "b", "e"] and fewer.indicators == ["a", "c", "d"]
