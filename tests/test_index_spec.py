"""The index spec as data: the default spec, validation errors naming file and field,
log addresses and overrides."""

from __future__ import annotations

import copy
from importlib import resources

import pytest
import yaml

from sharppower.codebook import load_codebook, validate
from sharppower.errors import ValidationError
from sharppower.index import load_spec, run_index
from sharppower.index.inputs import inputs_from_observations
from sharppower.index.spec import flatten, get_address, set_address
from sharppower.index.synthetic import REGIONS, synthetic_observations


def _default() -> dict:
    """The v1 spec (reach + sharp power), kept as a file: the validation tests mutate it."""
    return yaml.safe_load(_spec_text("influence_v1.yaml"))


def _spec_text(name: str) -> str:
    return resources.files("sharppower").joinpath("specs", name).read_text("utf-8")


def test_default_spec_is_influence_v2_exposure_pressure_effect():
    spec = load_spec()
    book = load_codebook().indicators.set_index("code")
    assert spec.indices == {"influence": ["exposure", "pressure", "effect"]}
    assert set(spec.pillars) == {"attraction", "exposure", "pressure", "effect", "resilience"}
    assert spec.actors == ["CHN", "RUS", "IRN", "USA"]  # every codebook actor
    assert all(book.loc[c, "index"] for c in spec.indicators)
    assert spec.directions["att_unfavorable"] == -1 and spec.directions["res_vdem_corruption"] == -1
    assert spec.applies["exp_devfin_stock_trade"] == ["CHN"]
    assert spec.applies["eff_unga_agreement"] is None  # an actor-generic source: every actor
    assert spec.applies["prs_leader_visits"] == ["CHN"]  # China's leaders only
    assert spec.applies["res_fh_total"] is None  # a property of the target, shared by every actor
    assert spec.derived["exp_devfin_stock_trade"] == ("exp_devfin_stock_5yr", "exp_world_trade")
    assert {"exp_devfin_stock_5yr", "exp_world_trade"} <= set(spec.needed) - set(spec.indicators)
    assert spec.absent["exp_arms_share_5yr"] == "zero" and spec.absent["exp_trade_share"] == "missing"
    assert spec.max_age == 5 and spec.stages["screen"]["partial"] == [
        "recorded_interference", "military_pressure", "information_operations",
        "cyber_operations", "economic_coercion"]
    assert flatten(spec.log())["weight.weights.pressure"] == 1.0
    v1 = load_spec(resources.files("sharppower").joinpath("specs", "influence_v1.yaml"))
    assert v1.indices == {"influence": ["reach", "sharp_power"]} and v1.name == "influence_v1"


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["derived"].update(exp_trade_share={"divide": ["a", "b"]}), "derived.exp_trade_share"),
    (lambda d: d["derived"]["exp_devfin_stock_trade"].update(divide=["exp_devfin_stock_5yr"]),
     "derived.exp_devfin_stock_trade.divide"),
    (lambda d: d["observations"].update(max_age=-1), "observations.max_age"),
    (lambda d: d["observations"].update(maxage=3), "observations.maxage"),
    (lambda d: d["stages"]["impute"].update(absent="maybe"), "stages.impute.absent"),
    (lambda d: d["display"].update(max_stale_share=2), "display.max_stale_share"),
])
def test_bad_v2_settings_name_their_field(tmp_path, mutate, field):
    data = yaml.safe_load(_spec_text("influence.yaml"))
    mutate(data)
    with pytest.raises(ValidationError) as err:
        load_spec(_write(tmp_path, data))
    assert err.value.field == field


def _write(tmp_path, data) -> str:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    return str(path)


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["pillars"]["reach"]["finance"].append("no_such_code"), "pillars.reach.finance[1]"),
    (lambda d: d["stages"]["normalise"].update(method="softmax"), "stages.normalise.method"),
    (lambda d: d["stages"].pop("impute"), "stages.impute.method"),
    (lambda d: d["indices"]["influence"].append("soft_power"), "indices.influence[2]"),
    (lambda d: d.update(actors=["CHN", "GBR"]), "actors[1]"),
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
    changed = set_address(log, "weight.weights.exposure", 2.5)
    assert get_address(changed, "weight.weights.exposure") == 2.5
    assert get_address(log, "weight.weights.exposure") == 1.0  # the original is untouched
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
        run_index(None, spec, {"weight.weights.exposure": -2}, inputs=inputs)
    assert err.value.field == "weight.weights.exposure"
    run = run_index(None, spec, {"aggregate.levels.index": "geometric"}, inputs=inputs)
    assert run.log["aggregate"]["levels"] == {"index": "geometric"}


# --- the registries' contract -------------------------------------------------------------

def test_a_misspelt_argument_fails_naming_its_spec_path(tmp_path):
    data = _default()
    data["stages"]["impute"] = {"method": "knn", "K": 3}
    path = _write(tmp_path, data)
    with pytest.raises(ValidationError) as err:
        load_spec(path)
    assert err.value.field == "stages.impute.K"
    assert err.value.detail == "unknown argument for method 'knn' (known: absent, k)"
    assert path in str(err.value)


def test_an_argument_of_a_method_the_spec_never_uses_is_rejected(tmp_path):
    data = _default()
    data["stages"]["treat"]["every"] = True  # an argument of `log`, not of `jrc`
    with pytest.raises(ValidationError) as err:
        load_spec(_write(tmp_path, data))
    assert err.value.field == "stages.treat.every"
    assert "'jrc'" in err.value.detail and "winmax" in err.value.detail
    data["uncertainty"]["vary"]["treat.method"] = ["log"]  # now the Monte Carlo may use it
    assert load_spec(_write(tmp_path, data)).stages["treat"]["every"] is True


def test_the_default_spec_keeps_k_for_the_knn_the_monte_carlo_switches_to(tmp_path):
    data = _default()
    assert data["stages"]["impute"] == {"method": "median", "k": 5}
    data["uncertainty"]["vary"]["impute.method"] = ["median", "mean"]
    with pytest.raises(ValidationError) as err:
        load_spec(_write(tmp_path, data))
    assert err.value.field == "stages.impute.k"


@pytest.mark.parametrize("address, values, needle", [
    ("impute.K", [3, 5], "unknown argument"),
    ("normalise.method", ["minmax", "softmax"], "unknown method 'softmax'"),
    ("weight.method", ["equal"], "only impute.*"),
    ("treat.winmax", [], "a list of values"),
])
def test_bad_uncertainty_addresses_fail_at_load(tmp_path, address, values, needle):
    data = _default()
    data["uncertainty"]["vary"][address] = values
    with pytest.raises(ValidationError) as err:
        load_spec(_write(tmp_path, data))
    assert err.value.field == f"uncertainty.vary.{address}"
    assert needle in err.value.detail


def test_overrides_may_switch_method_but_not_invent_arguments():
    spec = load_spec()
    obs = synthetic_observations(1, dict(list(REGIONS.items())[:8]), years=[2014])
    inputs = inputs_from_observations(obs, spec, REGIONS)
    run = run_index(None, spec, {"treat.method": "none"}, inputs=inputs)  # winmax stays
    assert run.data.treatment.empty
    kept = run_index(None, spec, {"normalise.centre": 50}, inputs=inputs)  # zscore's
    assert kept.scores.equals(run_index(None, spec, inputs=inputs).scores)
    with pytest.raises(ValidationError) as err:
        run_index(None, spec, {"normalise.centr": 50}, inputs=inputs)
    assert err.value.field == "stages.normalise.centr"


def test_every_method_declares_its_arguments_and_properties():
    from sharppower.index.methods import Registry, declared_params
    from sharppower.index.stages import REGISTRIES, years_needed

    assert REGISTRIES["impute"]["knn"].params == ("k",)
    assert REGISTRIES["screen"]["coverage"].params[:2] == ("unit_threshold", "indicator_threshold")
    assert "observed" not in REGISTRIES["screen"]["coverage"].params  # the engine gives it
    assert REGISTRIES["aggregate"].known(["geometric"]) == ["method", "levels", "floor"]
    with pytest.raises(TypeError, match=r"\*\*_"):
        Registry("x", 1).add("sloppy", lambda values, **_: values)
    assert declared_params(lambda v, a=1, b=2: v, 1) == ("a", "b")
    log = load_spec().log()
    assert years_needed(log) == "year"
    assert years_needed({**log, "impute": {"method": "carry_forward"}}) == "earlier"
    assert years_needed({**log, "treat": {"method": "jrc", "by": "actor"}}) == "all"
    assert years_needed({**log, "normalise": {"method": "goalposts"}}) == "all"
    assert years_needed({**log, "weight": {"method": "pca"}}) == "all"


# --- the hierarchy is the codebook's ------------------------------------------------------

@pytest.mark.parametrize("mutate, field, needle", [
    (lambda d: d["pillars"]["reach"].update(coercion=["reach_devfin_3yr"]),
     "pillars.reach.coercion", "not a domain of codebook pillar 'reach'"),
    (lambda d: d["pillars"]["reach"]["finance"].append("reach_confucius_institutes"),
     "pillars.reach.finance[1]", "belongs to codebook domain 'education_culture'"),
    (lambda d: d["pillars"].update(soft_power={"finance": ["reach_devfin_3yr"]}),
     "pillars.soft_power", "not a codebook pillar"),
    (lambda d: d.update(labels={"reach": "Reach!"}), "labels.reach", "spec's indices"),
])
def test_spec_nodes_must_be_the_codebook_nodes_they_are_listed_under(tmp_path, mutate, field,
                                                                      needle):
    data = _default()
    data["pillars"]["reach"]["finance"] = ["reach_devfin"]
    mutate(data)
    with pytest.raises(ValidationError) as err:
        load_spec(_write(tmp_path, data))
    assert err.value.field == field
    assert needle in err.value.detail


def test_labels_come_from_the_codebook_and_the_spec():
    spec = load_spec()
    book = load_codebook()
    assert spec.labels["pressure"] == book.pillars["pressure"]["name"]
    assert spec.labels["elite_engagement"] == book.pillars["pressure"]["domains"][
        "elite_engagement"]
    assert spec.labels["influence"] == "Influence index (exposure + pressure + effect)"
    nodes = {n for ds in spec.pillars.values() for n in ds} | set(spec.pillars) | set(spec.indices)
    assert set(spec.labels) == nodes


def test_a_spec_over_new_codebook_pillars_needs_no_code_change(tmp_path):
    """Influence v2 restructures the spec into exposure / pressure / effect: any codebook
    pillar with its domains and indicators is a valid spec node."""
    raw = copy.deepcopy(load_codebook().raw)
    raw["pillars"]["leverage"] = {"name": "Leverage", "domains": {"debt": "Debt held"}}
    raw["indicators"].append({**raw["indicators"][0], "code": "lev_debt", "pillar": "leverage",
                              "domain": "debt", "index": True})
    book = validate(raw, "(test codebook)")
    data = _default()
    data["pillars"]["leverage"] = {"debt": ["lev_debt"]}
    data["indices"]["influence_v2"] = ["reach", "leverage"]
    data["labels"]["influence_v2"] = "Influence, second version"
    spec = load_spec(_write(tmp_path, data), codebook=book)
    assert spec.pillars["leverage"] == {"debt": ["lev_debt"]}
    assert spec.labels["leverage"] == "Leverage" and spec.labels["debt"] == "Debt held"
    assert spec.labels["influence_v2"] == "Influence, second version"
    data["pillars"]["leverage"] = {"debt": ["reach_devfin"]}
    with pytest.raises(ValidationError, match="belongs to codebook domain 'finance'"):
        load_spec(_write(tmp_path, data), codebook=book)
