"""The index spec as data: the default spec, validation errors naming file and field,
log addresses and overrides."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from sharppower.codebook import load_codebook
from sharppower.errors import ValidationError
from sharppower.index import load_spec, run_index
from sharppower.index.inputs import inputs_from_observations
from sharppower.index.spec import flatten, get_address, set_address
from sharppower.index.synthetic import REGIONS, synthetic_observations


def _default() -> dict:
    text = resources.files("sharppower").joinpath("specs", "influence.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def test_default_spec_hierarchy_directions_and_exclusions():
    spec = load_spec()
    book = load_codebook().indicators.set_index("code")
    assert spec.indices == {"influence": ["reach", "sharp_power"]}
    assert set(spec.pillars) == {"attraction", "reach", "sharp_power", "resilience"}
    assert spec.actors == ["CHN", "RUS"]
    assert all(book.loc[c, "index"] for c in spec.indicators)
    assert spec.directions["att_unfavorable"] == -1 and spec.directions["res_vdem_corruption"] == -1
    assert spec.directions["att_favorable"] == 1
    assert spec.applies["reach_devfin"] == ["CHN"] and spec.applies["exp_import_share"] is None
    assert flatten(spec.log())["weight.weights.sharp_power"] == 1.0


def _write(tmp_path, data) -> str:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    return str(path)


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["pillars"]["reach"]["finance"].append("no_such_code"), "pillars.reach.finance[1]"),
    (lambda d: d["stages"]["normalise"].update(method="softmax"), "stages.normalise.method"),
    (lambda d: d["stages"].pop("impute"), "stages.impute.method"),
    (lambda d: d["indices"]["influence"].append("soft_power"), "indices.influence[2]"),
    (lambda d: d.update(actors=["CHN", "USA"]), "actors[1]"),
    (lambda d: d["pillars"]["reach"]["finance"].append("att_net"), "pillars.reach.finance[1]"),
    (lambda d: d["stages"]["aggregate"].update(levels={"index": "median"}),
     "stages.aggregate.levels.index"),
])
def test_bad_specs_name_the_file_and_field(tmp_path, mutate, field):
    data = _default()
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(ValidationError) as err:
        load_spec(path)
    assert err.value.field == field
    assert path in str(err.value)


def test_indicators_marked_index_false_are_left_out(tmp_path):
    data = _default()
    data["pillars"]["attraction"]["public_opinion"].append("att_influence_stronger")
    spec = load_spec(_write(tmp_path, data))
    assert "att_influence_stronger" not in spec.indicators
    assert spec.excluded == [("att_influence_stronger", "codebook marks it index: false")]


def test_unreadable_spec_file(tmp_path):
    with pytest.raises(ValidationError, match="cannot read"):
        load_spec(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("pillars: [unclosed", "utf-8")
    with pytest.raises(ValidationError) as err:
        load_spec(bad)
    assert err.value.field == "(yaml)"


def test_log_addresses():
    log = load_spec().log()
    assert get_address(log, "normalise.method") == "minmax"
    changed = set_address(log, "weight.weights.reach", 2.5)
    assert get_address(changed, "weight.weights.reach") == 2.5
    assert get_address(log, "weight.weights.reach") == 1.0  # the original is untouched
    assert get_address(set_address(log, "aggregate.levels.index", "geometric"),
                       "aggregate.levels.index") == "geometric"
    with pytest.raises(ValidationError):
        set_address(log, "uncertainty.runs", 5)


def test_overrides_are_validated_before_running():
    spec = load_spec()
    obs = synthetic_observations(1, dict(list(REGIONS.items())[:8]), years=[2014])
    inputs = inputs_from_observations(obs, spec, REGIONS)
    with pytest.raises(ValidationError) as err:
        run_index(None, spec, {"normalise.method": "softmax"}, inputs=inputs)
    assert err.value.field == "stages.normalise.method"
    with pytest.raises(ValidationError) as err:
        run_index(None, spec, {"weight.weights.reach": -2}, inputs=inputs)
    assert err.value.field == "weight.weights.reach"
    run = run_index(None, spec, {"aggregate.levels.index": "geometric"}, inputs=inputs)
    assert run.log["aggregate"]["levels"] == {"index": "geometric"}
