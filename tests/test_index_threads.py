"""The Monte Carlo gives the same numbers on one thread and on several (issue 26).

Blocks of cross-sections (many years: block-level threads or forked processes) or the
chunks of one block (one cross-section: chunk-level threads, each with its own rank
histogram, merged) are scored side by side; every matrix they share is computed before,
and each returns or writes its own units or replications. So the rank and score intervals, and the rank shifts behind the
sensitivity indices, must be identical, bit for bit, whatever SHARPPOWER_INDEX_THREADS is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sharppower import forking
from sharppower.index import execute, monte_carlo
from sharppower.index import propagate as propagate_module
from sharppower.index.propagate import Propagator, block_threads, build_space
from sharppower.index.synthetic import synthetic_problem

UNCERTAINTY = {"runs": 120, "score_runs": 60, "seed": 7, "data_noise": True,
               "drop_one": "indicators", "weights": {"concentration": 20},
               "vary": {"impute.method": ["median", "mean", "knn"],
                        "normalise.method": ["minmax", "zscore", "rank"],
                        "aggregate.method": ["arithmetic", "geometric"]}}


def _intervals(monkeypatch, threads: int, years: int, block_units: int | None = None,
               pool: str = "threads"):
    monkeypatch.setenv("SHARPPOWER_INDEX_THREADS", str(threads))
    monkeypatch.setenv("SHARPPOWER_INDEX_POOL", pool)
    if block_units:
        monkeypatch.setattr(propagate_module, "BLOCK_UNITS", block_units)
    spec, inputs = synthetic_problem(120, 18, 5, seed=3, missing=0.1, years=years,
                                     uncertainty=UNCERTAINTY)
    run = execute(spec, inputs)
    table = monte_carlo(run)
    space = build_space(run, spec.uncertainty)
    design = space.sample(40, np.random.default_rng(11))
    shifted = Propagator(run, space).propagate(design, quantiles=[0.05, 0.5, 0.95])
    return table, shifted


@pytest.mark.parametrize("years, block_units, pool", [
    (1, None, "threads"), (4, 30, "threads"), (4, 30, "processes")],
    ids=["one block: chunks on threads", "many blocks on threads",
         "many blocks in forked processes"])
def test_threads_give_the_numbers_of_one_thread(monkeypatch, years, block_units, pool):
    if pool == "processes" and not forking.platform_forks():
        pytest.skip("this platform does not fork")
    one, one_shift = _intervals(monkeypatch, 1, years, block_units)
    three, three_shift = _intervals(monkeypatch, 3, years, block_units, pool)
    assert len(one) > 0 and (one["rank_high"] > one["rank_low"]).any()  # not degenerate
    assert (one["score_high"] > one["score_low"]).any()
    pd.testing.assert_frame_equal(one, three, check_exact=True)
    assert np.array_equal(one_shift.ranks, three_shift.ranks, equal_nan=True)
    assert np.array_equal(one_shift.shift, three_shift.shift)
    assert np.array_equal(one_shift.count, three_shift.count)
    assert one_shift.shift.sum() > 0


def test_thread_and_pool_settings(monkeypatch):
    monkeypatch.setenv("SHARPPOWER_INDEX_POOL", "threads")
    assert propagate_module.block_pool() == "threads"
    monkeypatch.setenv("SHARPPOWER_INDEX_POOL", "processes")
    assert propagate_module.block_pool() == ("processes" if forking.platform_forks()
                                             else "threads")
    monkeypatch.setenv("SHARPPOWER_INDEX_THREADS", "3")
    assert block_threads() == 3
    monkeypatch.setenv("SHARPPOWER_INDEX_THREADS", "0")
    assert block_threads() == 1
    monkeypatch.delenv("SHARPPOWER_INDEX_THREADS")
    assert 1 <= block_threads() <= 4


FORK_CALL = """
import json, os, sys
import numpy as np
from sharppower import forking

if not forking.fork_safe() or forking.cores() < 2:
    print(json.dumps(forking.fork_call(lambda: 1) is None and "declined"))
    sys.exit(0)
big = np.random.default_rng(5).standard_normal((300, 200, 26))
got = forking.fork_call(lambda: {"draws": big * 2, "pid": os.getpid()}).result()
checks = [bool(np.array_equal(got["draws"], big * 2)), got["pid"] != os.getpid(),
          forking.fork_call(lambda: 1 / 0).result() is None,
          forking.fork_call(lambda: os._exit(3)).result() is None,
          forking.fork_call(lambda: (lambda: 1)).result() is None]  # a lambda does not pickle
print(json.dumps(checks))
"""


def test_a_call_forked_ahead_returns_its_result_or_none_when_it_fails():
    """`forking.fork_call` (the latent fits beside the Monte Carlo): the worker's result
    comes back whole; a worker that raises, dies or returns what cannot travel gives None
    (the caller then does the work itself, where an error is raised as usual). In a new
    interpreter: no JAX loaded, so a fork is safe where the platform forks."""
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", FORK_CALL], capture_output=True, text=True,
                         check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result == "declined":
        pytest.skip("no fork or one core here: fork_call declines")
    assert result == [True] * 5


@pytest.mark.parametrize("cores, threads_setting, spare", [
    (2, None, False), (4, None, False), (8, None, True), (2, "1", True), (1, None, False)])
def test_the_latent_worker_needs_a_core_the_monte_carlo_leaves(monkeypatch, cores,
                                                                threads_setting, spare):
    """The build fits the latent model beside the Monte Carlo only where a core is left
    beside the Monte Carlo's workers (on 2 cores it measured no faster, for more CPU)."""
    from sharppower.index.build import spare_core

    monkeypatch.setattr(forking, "cores", lambda: cores)
    if threads_setting is None:
        monkeypatch.delenv("SHARPPOWER_INDEX_THREADS", raising=False)
    else:
        monkeypatch.setenv("SHARPPOWER_INDEX_THREADS", threads_setting)
    assert spare_core() is spare


PREPARE_FORKED = """
import json, sys
import numpy as np
from sharppower import forking
from sharppower.index import execute
from sharppower.index import propagate as P
from sharppower.index.propagate import Propagator, build_space
from sharppower.index.synthetic import synthetic_problem

UNCERTAINTY = json.loads(sys.argv[1])
if not forking.fork_safe() or forking.cores() < 2:
    print(json.dumps("declined"))
    sys.exit(0)
spec, inputs = synthetic_problem(150, 18, 5, seed=4, missing=0.15, years=3,
                                 uncertainty=UNCERTAINTY)
run = execute(spec, inputs)
space = build_space(run, spec.uncertainty)
design = space.sample(60, np.random.default_rng(2))
forks = []
real = forking.fork_call
def counted(fn):
    forks.append(1)
    return real(fn)
forking.fork_call = counted

def prepared(pool, broken=False):
    P.block_pool = lambda: pool
    if broken:  # a worker that dies: its groups are computed here
        forking.fork_call = lambda fn: real(lambda: __import__("os")._exit(3))
    p = Propagator(run, space)
    p.prepare(design, threads=2)
    forking.fork_call = counted
    return p

here, forked, broken = prepared("threads"), prepared("processes"), prepared("processes", True)
same = []
for other in (forked, broken):
    same.append(sorted(here.cache) == sorted(other.cache) and all(
        np.array_equal(here.cache[k], other.cache[k], equal_nan=True) for k in here.cache)
        and sorted(here.noise_sd) == sorted(other.noise_sd) and all(
        np.array_equal(here.noise_sd[k][0], other.noise_sd[k][0], equal_nan=True)
        and np.array_equal(here.noise_sd[k][1][0], other.noise_sd[k][1][0], equal_nan=True)
        for k in here.noise_sd))
again = len(forks)
forked.prepare(design, threads=2)  # everything prepared: no worker is started again
print(json.dumps({"groups": len(here.cache), "forks": again, "refork": len(forks) - again,
                  "same": same}))
"""


def test_data_choices_prepared_in_a_forked_worker_equal_those_made_here():
    """`Propagator.prepare` shares the data choices' groups (imputation x treatment) with a
    forked worker where blocks run in processes: the normalised matrices and noise scales
    are those computed in one process, bit for bit, also when the worker dies (its groups
    are then computed here), and nothing is forked once everything is prepared. In a new
    interpreter (no JAX loaded: a fork is safe)."""
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", PREPARE_FORKED, json.dumps(UNCERTAINTY)],
                         capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result == "declined":
        pytest.skip("no fork or one core here")
    assert result["groups"] >= 4
    assert result["forks"] == 1  # the broken worker's fork is not counted (patched away)
    assert result["refork"] == 0
    assert result["same"] == [True, True]
