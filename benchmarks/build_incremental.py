"""Benchmark: a full build of the context sources, then a build with nothing changed.

Builds into a temporary SQLite store from SHARPPOWER_MIRROR (or the snapshots already in
SHARPPOWER_DATA_DIR), runs `build` again without any change and prints both times and
their ratio. Goal: the no-change build takes a few seconds at most.

    SHARPPOWER_MIRROR=../shared/data .venv/bin/python benchmarks/build_incremental.py [--all]

By default only the context sources are built (the reference steps, then each context
source's step, through the pipeline and its fingerprints); --all runs every build step.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.pipeline import BuildContext, build, run_steps
from sharppower.settings import Settings
from sharppower.store import Database

CONTEXT = ["countries", "freedom-house", "vdem", "wgi", "aiddata-gcdf", "confucius-institutes",
           "cow-trade", "aiddata-public-diplomacy"]


def build_context(conf: Settings, db: Database) -> list[tuple[str, str, int]]:
    """Reference tables and the context sources, as `build` loads them (pulling if needed)."""
    db.upgrade()
    ctx = BuildContext(conf, db, load_codebook(), resolver())
    return [(r.source, r.status, r.rows) for r in run_steps(ctx, names=["reference", *CONTEXT])]


def timed(label: str, run) -> float:
    start = time.perf_counter()
    results = run()
    seconds = time.perf_counter() - start
    summary = ", ".join(f"{r[0]}={r[1]}" for r in results)
    print(f"{label:<18} {seconds:8.2f} s   {summary}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="run every build step, not only "
                        "the context sources")
    args = parser.parse_args()
    base = Settings.from_env()
    if base.mirror is None and not base.snapshot_dir.exists():
        print("set SHARPPOWER_MIRROR (or pull the sources first)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        conf = Settings(data_dir=Path(tmp) / "data", database_url=f"sqlite:///{tmp}/store.db",
                        mirror=base.mirror)
        if base.mirror is None:
            conf = Settings(data_dir=base.data_dir, database_url=conf.database_url, mirror=None)
        db = Database(conf.database_url)
        if args.all:
            def run():
                return [(r.source, r.status) for r in build(conf, db)]
        else:
            def run():
                return build_context(conf, db)
        full = timed("full build", run)
        again = timed("no-change build", run)
        db.dispose()
    print(f"ratio full / no-change: {full / again:.0f}x  (no-change build: {again:.2f} s; "
          "goal: a few seconds)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
