"""What pages show of the index, decided by the library (SQLite and PostgreSQL): the stored
run's hierarchy and nominal weights, the default year of a ranking, the store's country
and year lookups."""

from __future__ import annotations

import pytest

from sharppower.index import build_index, load_spec, scores
from sharppower.index.nodes import (
    choose_year,
    default_year,
    nominal_weights,
    pick_year,
    run_nodes,
    stale_shares,
)
from sharppower.index.synthetic import REGIONS, synthetic_observations, write_observations
from sharppower.store.lookups import (
    country_names,
    country_row,
    country_rows,
    observed_targets,
    year_bounds,
)

TARGETS = dict(list(REGIONS.items())[:24])


@pytest.mark.parametrize("counts, min_ranked, year", [
    ({2010: 30, 2015: 25, 2020: 4}, 20, 2015),   # latest year with enough targets
    ({2010: 30, 2015: 25, 2020: 24}, 20, 2020),
    ({2010: 8, 2015: 12, 2020: 3}, 20, 2015),    # none reaches 20: the best-covered count
    ({2010: 12, 2015: 12, 2020: 3}, 20, 2015),
    ({}, 20, None),
    ({2010: 30, 2015: 25}, 26, 2010),
])
def test_pick_year(counts, min_ranked, year):
    assert pick_year(counts, min_ranked) == year


def test_pick_year_skips_mostly_stale_years():
    counts = {2019: 200, 2020: 200, 2021: 195, 2022: 190}
    stale = {2019: 0.1, 2020: 0.3, 2021: 0.55, 2022: 0.7}
    assert pick_year(counts, 100, stale, 0.6) == 2021
    assert pick_year(counts, 100, stale, 0.2) == 2019
    assert pick_year(counts, 100, stale, 0.05) == 2022  # none passes: coverage alone decides


def test_before_any_run_the_default_spec_gives_the_nodes(db):
    spec = load_spec()
    nodes = run_nodes(db)
    assert nodes == spec.nodes()
    assert [n["node"] for n in nodes if n["level"] == "index"] == ["influence"]
    assert {n["node"] for n in nodes if n["level"] == "pillar"} == set(spec.pillars)
    assert nominal_weights(db) == {"exposure": 1.0, "pressure": 1.0, "effect": 1.0}
    assert default_year(db, "CHN") is None
    assert year_bounds(db) is None and observed_targets(db) == set()


def test_pages_read_the_stored_run(db):
    write_observations(db, synthetic_observations(3, TARGETS, range(2012, 2016)), TARGETS)
    spec = load_spec()
    spec.uncertainty = {**spec.uncertainty, "runs": 20}
    spec.stages["weight"]["weights"] = {"exposure": 3.0, "pressure": 1.0, "effect": 1.0}
    del spec.pillars["effect"]["bri_alignment"]  # a run of a different hierarchy
    spec.min_ranked = 5
    build_index(db, spec)
    nodes = {n["node"]: n for n in run_nodes(db)}
    assert "bri_alignment" not in nodes and "elite_engagement" in nodes
    assert nodes["elite_engagement"] == {
        "node": "elite_engagement", "level": "domain", "parent": "pressure",
        "label": "Elite engagement",
        "children": spec.pillars["pressure"]["elite_engagement"]}
    assert nodes["influence"]["label"] == "Influence index (exposure + pressure + effect)"
    assert nominal_weights(db) == {"exposure": 3.0, "pressure": 1.0, "effect": 1.0}
    stored = scores(db, "CHN")
    counts = stored.groupby("year").size().to_dict()
    stale = stale_shares(db, "CHN")
    assert set(stale) == set(counts) and all(0 <= v <= 1 for v in stale.values())
    fresh = [y for y, n in counts.items() if n >= 5 and stale[y] <= spec.max_stale_share]
    assert default_year(db, "CHN", spec=spec) == max(fresh)
    assert default_year(db, "CHN", offered={max(fresh): 3, 2013: 40}, spec=spec) == max(fresh)
    assert default_year(db, "CHN", offered={2011: 40, 2099: 2}, spec=spec) == 2011  # before
    assert default_year(db, "CHN", offered={2099: 2, 2098: 5}, spec=spec) == 2098  # after
    assert default_year(db, "CHN", offered={}, spec=spec) is None
    assert default_year(db, "RUS", spec=spec) == default_year(db, "RUS", "influence", spec=spec)
    assert choose_year(db, "CHN", 2013, spec=spec).rule == "asked"


def test_without_a_run_the_offered_years_decide(db):
    """Rule 3: no stored run scores the actor, so the coverage rule (and the stale test
    when the page gives its stale shares) on what the page offers."""
    counts = {2019: 120, 2020: 130, 2021: 40}
    assert choose_year(db, "CHN", offered=counts).rule == "coverage"
    assert default_year(db, "CHN", offered=counts) == 2020
    stale = {2019: 0.1, 2020: 0.9, 2021: 0.0}
    assert choose_year(db, "CHN", offered=counts, offered_stale=stale).year == 2019
    assert choose_year(db, "CHN").rule == "none"


def test_country_and_year_lookups(db):
    write_observations(db, synthetic_observations(3, TARGETS, range(2012, 2016)), TARGETS)
    names = country_names(db)
    assert names["DEU"] == "Germany" and len(names) == len(country_rows(db))
    assert list(country_rows(db).columns) == ["iso3", "name", "region", "subregion"]
    assert country_row(db, "DEU")["name"] == "Germany"
    assert country_row(db, "XXX") is None
    assert year_bounds(db) == (2012, 2015)
    assert observed_targets(db) <= set(TARGETS) and "DEU" in observed_targets(db)
