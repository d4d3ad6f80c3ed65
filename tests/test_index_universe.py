"""Universes in the index inputs (issue 22): a declared zero only inside the source's
universe (targets and years), missing outside it, stale with its age after the source
ends; the China-Taiwan and Russia-Ukraine pressure inputs hold the new indicators.
Real sources from the mirror (Freedom House gives every target a row of the panel)."""

from __future__ import annotations

import numpy as np
import pytest
from _new_sources import mirror_snapshot

from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.index.inputs import load_inputs
from sharppower.index.spec import load_spec
from sharppower.sources.load import LoadContext, load_source
from sharppower.sources.registry import SOURCES

LOADED = ("freedom-house", "ucdp-prio-acd", "pla-taiwan-activity", "mid-dyadic")


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory):
    return {name: mirror_snapshot(tmp_path_factory, name) for name in LOADED}


@pytest.fixture
def inputs(snapshots, db):
    codebook = load_codebook()
    for name in LOADED:
        load_source(LoadContext(db, codebook, resolver()), SOURCES[name], snapshots[name])
    return load_inputs(db, load_spec(), actors=["CHN", "RUS"])


def test_zeros_inside_the_universe_missing_outside_stale_after_it(inputs):
    v, zero, age = inputs.values, inputs.cell_frame("zero"), inputs.cell_frame("age")
    # the new pressure indicators in the China-Taiwan and Russia-Ukraine inputs
    assert v.loc[("CHN", "TWN", 2022), "prs_pla_aircraft"] == 3275
    assert v.loc[("RUS", "UKR", 2022), "prs_conflict_intensity"] == 2  # war
    assert v.loc[("RUS", "UKR", 2014), "prs_mid_hostility"] == 4
    # armed conflict: every state 1946-2024 -> Estonia without a conflict is a declared 0
    assert v.loc[("RUS", "EST", 2022), "prs_conflict_intensity"] == 0
    assert zero.loc[("RUS", "EST", 2022), "prs_conflict_intensity"]
    # PLA aircraft look at Taiwan only, 2021-2025: Japan is missing, not zero
    assert np.isnan(v.loc[("CHN", "JPN", 2022), "prs_pla_aircraft"])
    assert not zero.loc[("CHN", "JPN", 2022), "prs_pla_aircraft"]
    assert np.isnan(v.loc[("CHN", "TWN", 2019), "prs_pla_aircraft"])  # before the universe
    # MID ends in 2014 (Estonia: the Kohver abduction, a display of force); a value is
    # carried past the end as stale, with its age, a zero (Brazil) as well
    assert v.loc[("RUS", "EST", 2014), "prs_mid_hostility"] == 3
    assert v.loc[("RUS", "EST", 2016), "prs_mid_hostility"] == 3
    assert age.loc[("RUS", "EST", 2016), "prs_mid_hostility"] == 2
    assert v.loc[("RUS", "BRA", 2014), "prs_mid_hostility"] == 0
    assert zero.loc[("RUS", "BRA", 2014), "prs_mid_hostility"]
    assert v.loc[("RUS", "BRA", 2017), "prs_mid_hostility"] == 0
    assert age.loc[("RUS", "BRA", 2017), "prs_mid_hostility"] == 3
    assert np.isnan(v.loc[("RUS", "BRA", 2022), "prs_mid_hostility"])  # older than max_age
