"""Store, migrations, codebook and build basics on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sharppower.codebook import load_codebook
from sharppower.errors import ValidationError
from sharppower.store.migrations import applied, revisions


def test_migrations_recorded_in_order(db):
    names = applied(db)
    assert names == revisions()
    assert names[0] == "0001_core"
    assert db.upgrade() == []  # nothing pending the second time


def test_demo_store_has_starter_facts(demo_db):
    df = demo_db.read("SELECT target, value, note FROM observations WHERE indicator='att_unfavorable' "
                      "AND actor='CHN' AND year=2022 ORDER BY target")
    assert dict(zip(df["target"], df["value"])) == {"AUS": 86.0, "CAN": 74.0, "KOR": 80.0, "SWE": 83.0}
    assert df["note"].str.contains("pewresearch.org").all()


def _codebook_with(tmp_path, mutate):
    data = yaml.safe_load(Path(_packaged()).read_text("utf-8"))
    mutate(data)
    path = tmp_path / "cb.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    return path


def _packaged():
    from importlib import resources
    return str(resources.files("sharppower.codebook").joinpath("v1.yaml"))


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["indicators"][2].update(direction="up"), "indicators[2].direction"),
    (lambda d: d["indicators"][0].update(layer="outcome"), "indicators[0].layer"),
    (lambda d: d["indicators"][1].update(domain="media_information"), "indicators[1].domain"),
    (lambda d: d["indicators"][3].pop("source"), "indicators[3].source"),
    (lambda d: d["indicators"].append(dict(d["indicators"][0])), "indicators[%d].code"),
    (lambda d: d["actors"].append({"iso3": "XYZ"}), "actors[4].iso3"),
    (lambda d: d["pillars"].pop("resilience"), "pillars.resilience"),
    (lambda d: d["actors"][0].update(territories=["HKX"]), "actors[0].territories[0]"),
    (lambda d: d["actors"][1].update(territories="HKG"), "actors[1].territories"),
])
def test_codebook_errors_name_the_path(tmp_path, mutate, field):
    path = _codebook_with(tmp_path, mutate)
    if "%d" in field:
        field = field % (len(yaml.safe_load(path.read_text("utf-8"))["indicators"]) - 1)
    with pytest.raises(ValidationError) as err:
        load_codebook(path)
    assert err.value.field == field
    assert str(path) in str(err.value)


def test_codebook_actor_and_indicator_added_without_code(tmp_path, db, conf):
    from dataclasses import replace

    from sharppower.build import build

    def add(d):
        d["actors"].append({"iso3": "TUR", "name": "Turkey"})
        new = dict(d["indicators"][-1], code="res_new_thing", name="A new resilience measure")
        d["indicators"].append(new)

    cb = load_codebook(_codebook_with(tmp_path, add))
    build(replace(conf, mirror=None), db, codebook=cb)
    assert set(db.read("SELECT iso3 FROM actors")["iso3"]) == {"CHN", "RUS", "IRN", "USA", "TUR"}
    assert db.scalar("SELECT COUNT(*) FROM indicators WHERE code='res_new_thing'") == 1


def test_starter_step_is_incremental(db, conf):
    from dataclasses import replace

    from sharppower.build import build

    first = {r.source: r.status for r in build(replace(conf, mirror=None), db)}
    ids = db.read("SELECT id FROM observations WHERE source = 'starter' ORDER BY id")["id"].tolist()
    second = {r.source: r.status for r in build(replace(conf, mirror=None), db)}
    assert first["starter"] == "loaded" and second["starter"] == "unchanged"
    assert db.read("SELECT id FROM observations WHERE source = 'starter' ORDER BY id")["id"].tolist() == ids
