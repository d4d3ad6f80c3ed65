"""The orchestrator wires every source a measure owns to that measure's loader; a source
a measure owns cannot be loaded without it (nothing stored). Starter-mode detection lives
in the store (web and report read it without importing the build)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from sharppower.build import LOADERS, build, load_snapshot
from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.errors import SharppowerError
from sharppower.sources.load import LoadContext, load_source
from sharppower.sources.registry import SOURCES
from sharppower.sources.snapshot import pull
from sharppower.steps import fingerprint
from sharppower.store.provenance import is_starter_only

FIXTURE = Path(__file__).parent / "fixtures" / "evidence" / "asd_small.json"


def test_every_owned_source_with_files_has_its_measure_loader():
    owned = {name for name, s in SOURCES.items() if s.owner and s.files}
    assert owned == set(LOADERS)
    assert {"pew-global-attitudes", "asd-interference-tracker", "coercion-cases"} <= owned
    for name in owned:
        assert LOADERS[name].__module__.startswith(SOURCES[name].owner + ".")


def _asd_snapshot(conf, tmp_path):
    mirror = tmp_path / "mirror" / "asd_interference_tracker"
    mirror.mkdir(parents=True)
    (mirror / "incidents.json").write_bytes(FIXTURE.read_bytes())
    return pull(replace(conf, mirror=tmp_path / "mirror"), SOURCES["asd-interference-tracker"])[0]


def test_owned_source_without_its_loader_is_refused(db, conf, tmp_path):
    snapshot = _asd_snapshot(conf, tmp_path)
    ctx = LoadContext(db, load_codebook(), resolver())
    with pytest.raises(SharppowerError, match="asd-interference-tracker is loaded by "
                       "sharppower.measures.evidence"):
        load_source(ctx, SOURCES["asd-interference-tracker"], snapshot)
    assert db.scalar("SELECT COUNT(*) FROM evidence") == 0
    result = load_snapshot(ctx, SOURCES["asd-interference-tracker"], snapshot)
    assert result.status == "loaded" and result.rows == db.scalar("SELECT COUNT(*) FROM evidence")


def test_fingerprint_is_canonical_json():
    assert fingerprint({"b": 1, "a": [2]}, "x") == fingerprint({"a": [2], "b": 1}, "x")
    assert fingerprint(1, 2) != fingerprint(2, 1)
    assert len(fingerprint()) == 64


def test_starter_only_until_a_real_source_is_loaded(db, conf, tmp_path):
    build(replace(conf, mirror=None), db)
    assert is_starter_only(db)
    ctx = LoadContext(db, load_codebook(), resolver())
    load_snapshot(ctx, SOURCES["asd-interference-tracker"], _asd_snapshot(conf, tmp_path))
    assert not is_starter_only(db)
