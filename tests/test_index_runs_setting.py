"""Issue 24, finding 7 (PostgreSQL part): `SHARPPOWER_INDEX_RUNS=50 sharppower build` failed
on PostgreSQL with StringDataRightTruncation: the index step's fingerprint is the inputs'
sha256 with ":50" appended (67 characters) and index_runs.fingerprint and
build_log.fingerprint were varchar(64). Migration 0080 widens both to 128, and the runs are
now hashed into a 64-digit fingerprint (a different one from the spec's own runs)."""

from __future__ import annotations

from dataclasses import replace

from test_index_store import _store

from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.index.build import fingerprint
from sharppower.index.spec import load_spec
from sharppower.pipeline import BuildContext, run_steps


def test_the_index_step_with_a_runs_setting_is_stored_and_then_unchanged(db, conf):
    _store(db)
    ctx = BuildContext(replace(conf, mirror=None, index_runs=50), db, load_codebook(), resolver())
    first, = run_steps(ctx, names=["index"])
    assert first.status == "loaded"
    run = db.read("SELECT fingerprint, mc_runs FROM index_runs ORDER BY id DESC").iloc[0]
    default = fingerprint(db, load_spec(codebook=ctx.codebook))  # without the runs setting
    assert len(run["fingerprint"]) == 64 and run["fingerprint"] != default
    assert run["mc_runs"] == 50
    assert db.scalar("SELECT COUNT(*) FROM build_log WHERE step = 'index'") == 1
    second, = run_steps(ctx, names=["index"])
    assert second.status == "unchanged"
