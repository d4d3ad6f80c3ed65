"""Steps' prefetch (issue 26): the file-reading part of a stage's steps runs ahead in forked
workers while the stage's earlier steps run; a step takes its result, or computes it
itself when there is none (one step to run, an unchanged step, a fork unsafe) or when the
worker failed, so that a bad file raises the same error, in the build's process."""

from __future__ import annotations

import os

import pytest

from sharppower import forking
from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.errors import InputError
from sharppower.pipeline import BuildContext, run_steps
from sharppower.steps import LoadResult, Step

pytestmark = pytest.mark.skipif(not forking.platform_forks() or forking.cores() < 2,
                                reason="no fork or one core: steps parse when they run")


@pytest.fixture(autouse=True)
def _forks(monkeypatch):
    """Fork here even if an earlier test loaded JAX in this process (these workers never
    call it)."""
    monkeypatch.setattr(forking, "fork_safe", forking.platform_forks)


def _steps(seen: dict, bad: str | None = None) -> list[Step]:
    def parse(name):
        def ahead(ctx):
            if name == bad:
                raise InputError(f"{name}.csv", "malformed row 3, field value: 'x' is no number")
            return {"pid": os.getpid(), "value": len(name)}
        return ahead

    def run(name):
        def step(ctx):
            parsed = ctx.prefetched_result(name, lambda: parse(name)(ctx))
            seen[name] = parsed
            return [LoadResult(name, "loaded", rows=parsed["value"])]
        return step

    return [Step(n, run(n), writes=(f"t_{n}",), stage="sources", prefetch=parse(n))
            for n in ("alpha", "beta", "gamma")]


def test_prefetch_runs_in_workers_and_gives_each_step_its_result(db, conf):
    seen: dict = {}
    results = run_steps(BuildContext(conf, db, load_codebook(), resolver()), _steps(seen))
    assert [(r.source, r.rows) for r in results] == [("alpha", 5), ("beta", 4), ("gamma", 5)]
    assert {v["pid"] for v in seen.values()}.isdisjoint({os.getpid()})  # parsed in workers

    again: dict = {}  # nothing changed: no step runs, nothing is parsed
    results = run_steps(BuildContext(conf, db, load_codebook(), resolver()), _steps(again))
    assert {r.status for r in results} == {"unchanged"} and again == {}


def test_a_failing_prefetch_raises_the_steps_own_error_in_the_build_process(db, conf):
    seen: dict = {}
    with pytest.raises(InputError, match="beta.csv.*malformed row 3"):
        run_steps(BuildContext(conf, db, load_codebook(), resolver()), _steps(seen, bad="beta"))
    assert set(seen) == {"alpha", "gamma"}  # the other steps ran, from their workers' results
    assert all(v["pid"] != os.getpid() for v in seen.values())


def test_without_a_safe_fork_each_step_parses_itself(db, conf, monkeypatch):
    monkeypatch.setattr(forking, "fork_safe", lambda: False)
    seen: dict = {}
    run_steps(BuildContext(conf, db, load_codebook(), resolver()), _steps(seen))
    assert {v["pid"] for v in seen.values()} == {os.getpid()}


def test_later_steps_warm_here_while_the_build_waits_for_a_worker(db, conf):
    """A step's `warm` (its imports) runs in the build's process while it waits for a
    worker's prefetch, once, before the step itself; a warm that fails is left for its
    step (which runs as usual)."""
    import time

    order: list[tuple[str, int]] = []

    def slow(ctx):
        time.sleep(1.0)  # the build's process reaches this step before the worker is done
        return {"pid": os.getpid(), "value": 4}

    def take(name):
        def run(ctx):
            parsed = ctx.prefetched_result(name, lambda: slow(ctx))
            order.append((name, parsed["value"]))
            return [LoadResult(name, "loaded", rows=parsed["value"])]
        return run

    def warm(label, fail=False):
        def hook(ctx):
            order.append((f"warm {label}", os.getpid()))
            if fail:
                raise ImportError("no such library")
        return hook

    def later(ctx):
        order.append(("later", 0))
        return [LoadResult("later", "loaded")]

    steps = [Step(n, take(n), writes=(f"t_{n}",), stage="sources", prefetch=slow)
             for n in ("alpha", "beta")]
    steps += [Step("later", later, needs=("alpha", "beta"), warm=warm("later")),
              Step("last", lambda ctx: [LoadResult("last", "loaded")], needs=("later",),
                   warm=warm("last", fail=True))]
    results = run_steps(BuildContext(conf, db, load_codebook(), resolver()), steps)
    assert [r.source for r in results] == ["alpha", "beta", "later", "last"]
    warmed = [(label, pid) for label, pid in order if label.startswith("warm")]
    assert warmed == [("warm later", os.getpid()), ("warm last", os.getpid())]
    assert order.index(("warm later", os.getpid())) < order.index(("alpha", 4))
    assert order.index(("later", 0)) > order.index(("beta", 4))


def test_without_a_wait_nothing_is_warmed_ahead(db, conf, monkeypatch):
    monkeypatch.setattr(forking, "fork_safe", lambda: False)  # each step parses itself
    warmed: list[str] = []
    steps = _steps({}) + [Step("later", lambda ctx: [LoadResult("later", "loaded")],
                               needs=("alpha",), warm=lambda ctx: warmed.append("later"))]
    run_steps(BuildContext(conf, db, load_codebook(), resolver()), steps)
    assert warmed == []


def test_the_index_and_profiles_steps_warm_their_libraries_and_never_jax(tmp_path):
    """The real pipeline's warm hooks import scikit-learn's imputer, scipy's ranks and the
    stored pages' modules, and never JAX (a fork after JAX is unsafe)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from types import SimpleNamespace\n"
        "from sharppower.pipeline import discover\n"
        "steps = {s.name: s for s in discover.all_steps()}\n"
        "assert steps['index'].warm and steps['profiles'].warm\n"
        "ctx = SimpleNamespace(settings=SimpleNamespace(store_profiles=True))\n"
        "before = set(sys.modules)\n"
        "steps['index'].warm(ctx); steps['profiles'].warm(ctx)\n"
        "new = set(sys.modules) - before\n"
        "wanted = {'sklearn.impute', 'scipy.stats', 'sharppower.web.pages.country',\n"
        "          'sharppower.web.pages.weights', 'sharppower.web.pages.map'}\n"
        "assert wanted <= new, wanted - new\n"
        "assert 'jax' not in sys.modules\n"
        "print('ok')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120, check=False)
    assert out.stdout.strip() == "ok", out.stderr[-2000:]
