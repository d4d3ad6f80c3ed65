"""The two engines give identical matches: local with one and two processes, and Spark
on local[2] (one session for the module; the machine's Java 17)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sharppower.errors import InputError
from sharppower.measures.media.engine_local import match_local
from sharppower.measures.media.synth import synth_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return synth_corpus(tmp_path_factory.mktemp("engines"), n_local=400, seed=11)


@pytest.fixture(scope="module")
def local_matches(corpus):
    return match_local(corpus["wire"], corpus["local"], workers=1)


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark")
    from sharppower.measures.media.engine_spark import spark_session

    session = spark_session("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_local_engine_is_the_same_on_two_processes(corpus, local_matches, monkeypatch):
    monkeypatch.setattr("sharppower.measures.media.engine_local.MIN_CHUNK_BYTES", 50_000)
    two = match_local(corpus["wire"], corpus["local"], workers=2)
    assert len(local_matches.matches) > 10
    pd.testing.assert_frame_equal(two.matches, local_matches.matches)
    assert two.local_articles == local_matches.local_articles == 400


def test_spark_engine_gives_identical_matches_and_names_bad_lines(corpus, local_matches, spark,
                                                                   tmp_path):
    from sharppower.measures.media.engine_spark import match_spark

    result = match_spark(spark, str(corpus["wire"]), str(corpus["local"]))
    pd.testing.assert_frame_equal(result.matches, local_matches.matches)
    assert (result.local_articles, result.wire_articles) == (400, local_matches.wire_articles)
    lines = corpus["local"].read_text("utf-8").splitlines()[:40]
    lines[17] = json.dumps({"id": "z", "outlet": "o", "country": "KEN", "date": "soon", "text": "t"})
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(InputError, match=r"line 18, field 'date'"):
        match_spark(spark, str(corpus["wire"]), str(bad))
    skipped = match_spark(spark, str(corpus["wire"]), str(bad), on_error="skip")
    assert skipped.local_articles == 39 and "line 18" in skipped.skipped[0]


def _spin(ready) -> None:
    ready.set()
    while True:
        pass


@pytest.mark.skipif(not Path("/proc/loadavg").exists(), reason="counts runnable tasks on Linux")
def test_default_workers_leave_a_core_that_is_busy_now(tmp_path):
    """The processes running at this instant count, not the last minute's average: a
    process spinning on a core takes that core from the default."""
    import multiprocessing as mp

    from sharppower import forking
    from sharppower.measures.media.engine_local import BYTES_PER_WORKER, default_workers, idle_cores

    if forking.cores() < 2:
        pytest.skip("needs two cores")
    big = tmp_path / "local.jsonl"
    big.write_bytes(b"{}\n" * (forking.cores() * BYTES_PER_WORKER // 3 + 1))
    small = tmp_path / "small.jsonl"
    small.write_bytes(b"{}\n" * (BYTES_PER_WORKER // 3 - 1))
    assert default_workers(small) == 1  # below a worker's share: one process
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    spinner = ctx.Process(target=_spin, args=(ready,), daemon=True)
    spinner.start()
    try:
        assert ready.wait(60)
        seen = [idle_cores() for _ in range(20)]
        assert max(seen) <= forking.cores() - 1, seen
        assert default_workers(big) <= forking.cores() - 1
    finally:
        spinner.kill()
        spinner.join()
