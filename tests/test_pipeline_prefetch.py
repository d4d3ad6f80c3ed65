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
