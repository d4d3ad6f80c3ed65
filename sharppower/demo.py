"""A store with the demo data: the starter data built into a fresh SQLite file.

Used by `sharppower serve --demo`, the tests' shared builder and the browser tests.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from sharppower.pipeline import build
from sharppower.settings import Settings
from sharppower.store import Database


def demo_database(settings: Settings, path: Path | None = None) -> Database:
    """Build the starter data (no mirror, no network) into `path` or a temporary file."""
    path = path or Path(tempfile.mkdtemp(prefix="sharppower-demo-")) / "demo.db"
    conf = replace(settings, database_url=f"sqlite:///{path}", mirror=None,
                   data_dir=path.parent)
    db = Database(conf.database_url)
    build(conf, db)
    return db
