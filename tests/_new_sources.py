"""Helpers for the tests of the influence v2 connectors (issue 10): a module-scoped mirror
snapshot, and snapshots of small fixture files under the names a connector expects."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sharppower.settings import Settings
from sharppower.sources.registry import SOURCES
from sharppower.sources.snapshot import Snapshot, pull

FIXTURES = Path(__file__).parent / "fixtures"


def mirror_snapshot(tmp_path_factory, name: str) -> Snapshot:
    """Pull a source from the mirror once per module (fails when the mirror lacks a file)."""
    mirror = os.environ.get("SHARPPOWER_MIRROR")
    if not mirror:
        pytest.skip("no mirror (SHARPPOWER_MIRROR)")
    root = tmp_path_factory.mktemp(name)
    conf = Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 's.db'}",
                    mirror=Path(mirror))
    return pull(conf, SOURCES[name])[0]


def fixture_snapshot(tmp_path: Path, files: dict[str, Path | bytes]) -> Snapshot:
    """A snapshot holding the given files (a fixture path or bytes) under the expected names."""
    for name, content in files.items():
        if isinstance(content, Path):
            shutil.copyfile(content, tmp_path / name)
        else:
            (tmp_path / name).write_bytes(content)
    return Snapshot("fixture", tmp_path, {})
