"""The latent pressure is the pressure users see (index.latent.overlay), on a synthetic
store: the composite's synthetic observations plus two pressure sources for China (state
cyber incidents, counts; formal sanctions, 0/1) recorded for some targets from 2014 on.
On SQLite and PostgreSQL (`db`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sharppower.analysis import validity
from sharppower.countries import resolver
from sharppower.index import build_index, load_spec, scores
from sharppower.index.latent.store import read_scores
from sharppower.index.synthetic import REGIONS, synthetic_observations, write_observations

YEARS = range(2013, 2017)


def _pressure_rows(targets: list[str]) -> list[dict]:
    rng = np.random.default_rng(4)
    rows = []
    for i, t in enumerate(targets):
        for year in range(2014, 2017):  # none in 2013: no source has looked yet
            level = 3.0 if i < 4 else 0.3
            rows.append({"actor": "CHN", "target": t, "year": year,
                         "indicator": "prs_cyber_incidents",
                         "value": float(rng.poisson(level)), "source": "eurepoc-cyber-incidents"})
            rows.append({"actor": "CHN", "target": t, "year": year,
                         "indicator": "prs_sanctions_formal",
                         "value": float(i < 3 and year >= 2015), "source": "gsdb-sanctions"})
    return rows


@pytest.fixture
def store(db, put):
    obs = synthetic_observations(11, REGIONS, YEARS)
    write_observations(db, obs, REGIONS)
    targets = sorted(pd.unique(obs["target"]))
    seen = targets[:-2]  # the last two: no pressure source's records
    for row in _pressure_rows(seen):
        put(db, [{k: v for k, v in row.items() if k != "source"}], source=row["source"])
    spec = load_spec()
    spec.uncertainty = {**spec.uncertainty, "runs": 20, "sensitivity_runs": 0}
    spec.measurement = {**spec.measurement, "steps": 400, "draws": 100}
    built = build_index(db, spec)
    return db, built, seen, targets[-2:]


def test_the_pressure_shown_is_the_latent_models(store):
    db, built, seen, _ = store
    shown = scores(db, "CHN", level="pillar")
    shown = shown[shown["node"] == "pressure"]
    latent = read_scores(db, "CHN", "pressure").set_index(["target", "year"])
    assert len(shown) and set(shown["year"]) == {2014, 2015, 2016}
    got = shown.set_index(["target", "year"])
    same = latent.loc[got.index]
    assert np.allclose(got["score"], same["score"]) and (got["rank"] == same["rank"]).all()
    assert np.allclose(got["score_low"], same["score_low"])
    assert (got["n_ranked"] == got.groupby("year")["score"].transform("count")).all()
    assert (got["score_low"] < got["score_high"]).all()
    # the targets with the most recorded incidents and sanctions lead
    top = got.xs(2016, level="year").sort_values("rank").index[:5]
    assert len(set(top) & set(seen[:4])) >= 3
    # what each score rests on: the domains of the sources that saw it
    listed = got["components"].str.split(";")
    assert listed.map(lambda c: {"cyber_operations", "economic_coercion"} <= set(c)).all()
    left_out = {"elite_engagement", "recorded_interference"}  # measurement.leave_out
    assert not listed.map(lambda c: bool(left_out & set(c))).any()
    assert built.summary["measurement"]["nodes"] == ["pressure", "influence"]


def test_no_record_inside_a_universe_is_a_zero_and_a_year_unseen_is_not_covered(store):
    db, _, seen, unseen = store
    every = scores(db, "CHN", level=None)
    # both sources declare every country in their universe (codebook `absent: zero`): the
    # two targets without a record are scored, low, on declared zeros, and say so
    p16 = every[(every["node"] == "pressure") & (every["year"] == 2016)].set_index("target")
    for target in unseen:
        assert p16.loc[target, "rank"] > len(p16) / 2
        assert p16.loc[target, "zero_components"] == "cyber_operations;economic_coercion"
    assert p16.loc[seen[:4], "zero_components"].fillna("").eq("").all()
    # 2013: no pressure source has a record of anyone: not covered, no score, no index
    before = every[(every["year"] == 2013) & every["node"].isin(["pressure", "influence"])]
    assert before.empty
    assert len(every[(every["year"] == 2013) & (every["node"] == "exposure")])


def test_the_index_is_computed_from_the_latent_pressure(store):
    db, _, _, _ = store
    every = scores(db, "CHN", year=2016, level=None)
    wide = every.pivot_table(index="target", columns="node", values="score")
    index = read_scores(db, "CHN", "influence")
    index = index[index["year"] == 2016].set_index("target")["score"]
    assert np.allclose(wide["influence"].dropna(), index.reindex(wide["influence"].dropna().index))
    # the index per draw is near the mean of its pillars' scores
    mean = wide[["exposure", "pressure", "effect"]].mean(axis=1).dropna()
    assert np.corrcoef(mean, wide["influence"].reindex(mean.index))[0, 1] > 0.95


def test_validate_compares_the_latent_and_composite_methods(store, tmp_path):
    db, _, _, _ = store
    ours = scores(db, "CHN", 2016, "pillar")
    ours = ours[ours["node"] == "pressure"]
    res = resolver()
    path = tmp_path / "ext.csv"
    pd.DataFrame({"country": [res.name(t) for t in ours["target"]],
                  "score": ours["score"]}).to_csv(path, index=False)
    result = validity.validate(db, path, "CHN", 2016, boot=100)
    methods = result.methods.set_index(["node", "method"])
    assert set(methods.index) == {("pressure", "latent"), ("pressure", "composite"),
                                  ("influence", "latent"), ("influence", "composite")}
    assert methods.loc[("pressure", "latent"), "spearman"] == pytest.approx(1.0)
    assert methods.loc[("pressure", "composite"), "spearman"] < 1.0
    assert "methods" in result.to_dict()


BUILD = """
import sys
from sharppower import forking
from sharppower.index import build_index, load_spec
from sharppower.store import Database

url, where, mode = sys.argv[1], sys.argv[2], sys.argv[3]
forks = []
fork_call = forking.fork_call
forking.fork_call = lambda fn: forks.append(fn) or (None if where == "here" else fork_call(fn))
spec = load_spec()
spec.uncertainty = {**spec.uncertainty, "runs": 20, "sensitivity_runs": 0}
spec.measurement = {**spec.measurement, "steps": 400, "draws": 100}
built = build_index(Database(url), spec, latent_worker=mode == "beside",
                    latent_split=mode == "split")
latent = [f for f in forks if "_measure" in f.__qualname__]  # here: each one refused
assert len(latent) == (1 if mode == "beside" else 2), forks
worker = built.summary["measurement_worker_seconds"]
assert (worker is None) == (where == "here"), worker
assert built.summary.get("measurement_workers") == (
    None if where == "here" else {"beside": "beside the Monte Carlo",
                                  "split": "after the Monte Carlo, two side by side"}[mode])
assert ("jax" in sys.modules) == (where == "here"), "JAX loaded where no fit was made"
"""


@pytest.mark.parametrize("mode", ["beside", "split"])
def test_fits_made_in_workers_equal_those_made_here(tmp_path, put, mode):
    """The build fits the latent model in forked workers (JAX is loaded only there): one
    beside the Monte Carlo (`latent_worker`), or two after it sharing the actors
    (`latent_split`); the scores, fits and stored parameters are those made in the
    build's own process. Each build runs in a new interpreter (no JAX loaded yet)."""
    import shutil
    import sqlite3
    import subprocess
    import sys

    from sharppower import forking
    from tests.conftest import new_database

    if not forking.platform_forks() or forking.cores() < 2:
        pytest.skip("no fork or one core: the fits are made in the build's process")
    base, cleanup = new_database("sqlite", tmp_path)
    obs = synthetic_observations(11, REGIONS, YEARS)
    write_observations(base, obs, REGIONS)
    for row in _pressure_rows(sorted(pd.unique(obs["target"]))[:-2]):
        put(base, [{k: v for k, v in row.items() if k != "source"}], source=row["source"])
    cleanup()
    tables = {}
    for where in ("here", "forked"):
        path = tmp_path / f"{where}.db"
        shutil.copy(tmp_path / "store.db", path)
        done = subprocess.run([sys.executable, "-c", BUILD, f"sqlite:///{path}", where, mode],
                              check=False, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        with sqlite3.connect(path) as conn:
            tables[where] = {
                "scores": pd.read_sql("SELECT actor, target, year, node, score, rank, rank_low, "
                                      "rank_high FROM index_scores ORDER BY 1, 2, 3, 4", conn),
                "latent": pd.read_sql("SELECT * FROM latent_scores ORDER BY actor, node, target, "
                                      "year", conn),
                "fits": pd.read_sql("SELECT actor, pillar, fingerprint, n_obs, steps, final_elbo, "
                                    "converged, params FROM latent_fits ORDER BY 1, 2", conn)}
    assert len(tables["here"]["fits"]) >= 1 and len(tables["here"]["latent"]) > 0
    for name, frame in tables["here"].items():
        pd.testing.assert_frame_equal(tables["forked"][name], frame, obj=name)
