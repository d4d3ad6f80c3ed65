"""The whole mirror built into one SQLite store for the tests (`built_store`), once per run.

    python tests/mirror_store.py ROOT MIRROR

builds it in the background (conftest starts it at collection); the fixture calls
`build_once`, which waits for a build in progress (file lock) and builds only if none
finished. `once` does the same for any other folder the workers of a run share (the
triage tests' ledger and trained models)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock

from sharppower.settings import Settings
from sharppower.store import Database


def once(root: Path, make: Callable[[Path], object]) -> Path:
    """Run `make(root)` once per test run for every xdist worker sharing `root` (file
    lock; a finished folder is marked `done`); the others wait and reuse it."""
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root / "once.lock")):
        if not (root / "done").exists():
            make(root)
            (root / "done").write_text("done\n")
    return root


def build_once(root: Path, mirror: str) -> Settings:
    """The mirror built into root/store.db, once per run (`once`); its Settings."""
    root = Path(root)
    conf = Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'store.db'}",
                    mirror=Path(mirror), index_runs=200)  # the spec's 1000: same method, slower

    def make(_: Path) -> None:
        from sharppower.build import build

        database = Database(conf.database_url)
        build(conf, database)
        database.dispose()

    once(root, make)
    return conf


if __name__ == "__main__":
    build_once(Path(sys.argv[1]), sys.argv[2])
