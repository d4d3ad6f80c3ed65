"""Every source is loaded by one step, a measure's own loader where the measure keeps the
source's data; `load_snapshot` loads through that step's loader. Starter-mode detection
lives in the store (web and report read it without importing the build)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.pipeline import build, discover, load_snapshot
from sharppower.sources.load import LoadContext
from sharppower.sources.registry import SOURCES
from sharppower.sources.snapshot import pull
from sharppower.steps import fingerprint
from sharppower.store.provenance import is_starter_only

FIXTURE = Path(__file__).parent / "fixtures" / "evidence" / "asd_small.json"


OWNED = {"pew-global-attitudes": "sharppower.measures.opinion.",
         "asd-interference-tracker": "sharppower.measures.evidence.",
         "coercion-cases": "sharppower.measures.evidence.",
         "euvsdisinfo": "sharppower.measures.evidence.",
         "disarm-framework": "sharppower.measures.evidence.",
         "embedded-propaganda": "sharppower.measures.media.",
         "countries": "sharppower.pipeline."}


def test_every_source_with_files_has_one_load_step_and_measures_load_their_own():
    steps = discover.source_steps()
    assert set(steps) == {name for name, s in SOURCES.items() if s.files}
    for name, prefix in OWNED.items():
        assert steps[name].loader.__module__.startswith(prefix), name
    defaults = {name for name, step in steps.items() if step.loader is None}
    assert defaults == set(steps) - set(OWNED)
    assert steps["euvsdisinfo"].needs == ("asd-interference-tracker",)  # its cases link to ASD's


def _asd_snapshot(conf, tmp_path):
    mirror = tmp_path / "mirror" / "asd_interference_tracker"
    mirror.mkdir(parents=True)
    (mirror / "incidents.json").write_bytes(FIXTURE.read_bytes())
    return pull(replace(conf, mirror=tmp_path / "mirror"), SOURCES["asd-interference-tracker"])[0]


def test_a_measures_source_loads_through_its_declared_loader(db, conf, tmp_path):
    snapshot = _asd_snapshot(conf, tmp_path)
    ctx = LoadContext(db, load_codebook(), resolver())
    result = load_snapshot(ctx, SOURCES["asd-interference-tracker"], snapshot)
    assert result.status == "loaded" and result.rows == db.scalar("SELECT COUNT(*) FROM evidence")
    assert result.rows > 0
    assert db.scalar("SELECT COUNT(*) FROM observations WHERE source = :s",
                     {"s": "asd-interference-tracker"}) == 0


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
