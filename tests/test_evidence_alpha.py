"""Krippendorff's alpha: published worked examples, the `krippendorff` package, and the
ledger's agreement report on double-coded records (both backends)."""

from __future__ import annotations

from collections import Counter

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sharppower.measures import evidence as ev
from sharppower.measures.evidence.agreement import alpha_nominal, coincidences, units_from_matrix

N = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
# 4 observers x 12 units, nominal data with missing values; published alpha = 0.743.
KRIPPENDORFF_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
# Same paper, section A: binary data, two observers, 10 units; published alpha = 0.095.
KRIPPENDORFF_A = [
    [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
]


def test_published_nominal_example_with_missing_values():
    units = units_from_matrix(KRIPPENDORFF_C)
    assert round(alpha_nominal(units), 3) == 0.743
    matrix, pairable = coincidences(units)
    totals = Counter()
    for (c, _k), o in matrix.items():
        totals[c] += o
    # the paper's coincidence-matrix margins: n_1..n_5 = 9, 13, 10, 5, 3; n = 40; unit 12
    # (one value) is not pairable
    assert {k: round(v, 6) for k, v in totals.items()} == {1: 9, 2: 13, 3: 10, 4: 5, 5: 3}
    assert pairable == 11


def test_published_binary_example():
    assert round(alpha_nominal(units_from_matrix(KRIPPENDORFF_A)), 3) == 0.095


def test_matches_the_krippendorff_package_on_the_published_example():
    data = np.array([[np.nan if v is None else v for v in row] for row in KRIPPENDORFF_C])
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert alpha_nominal(units_from_matrix(KRIPPENDORFF_C)) == pytest.approx(expected, abs=1e-12)


cells = st.one_of(st.none(), st.integers(min_value=0, max_value=3))


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=2, max_value=5).flatmap(
    lambda coders: st.lists(st.lists(cells, min_size=coders, max_size=coders),
                            min_size=2, max_size=25)))
def test_matches_the_krippendorff_package_on_random_data(units):
    ours = alpha_nominal(units)
    data = np.array([[np.nan if v is None else v for v in unit] for unit in units]).T
    values = [v for u in units if sum(x is not None for x in u) >= 2 for v in u if v is not None]
    if ours is None:
        assert len(set(values)) <= 1  # undefined only without variation among pairable values
        return
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert ours == pytest.approx(expected, abs=1e-9)


def test_single_value_is_undefined_and_perfect_agreement_is_one():
    assert alpha_nominal([[1, 1], [1, 1, 1]]) is None
    assert alpha_nominal([[1, 1], [2, 2], [3, 3, None]]) == 1.0


def _add(db, rid, codes, coder="alice"):
    ev.add_evidence(db, {"id": rid, "actors": ["CHN"], "target": "AUS", "start_date": "2020",
                         "title": f"Case {rid}", "sources": ["https://example.org/" + rid],
                         "indicators": codes}, coder=coder)


def test_agreement_report_on_double_coded_records(db):
    _add(db, "r1", ["sp_economic_coercion"])
    _add(db, "r2", ["sp_economic_coercion", "sp_info_manipulation"])
    _add(db, "r3", ["sp_media_capture"])
    _add(db, "r4", ["sp_elite_cooptation"])  # coded once only: not a unit
    ev.code(db, "r1", "bob", ["sp_economic_coercion"])
    ev.code(db, "r2", "bob", ["sp_economic_coercion"])
    ev.code(db, "r3", "bob", ["sp_info_manipulation"])
    result = ev.agreement(db)
    assert result.overall["records"] == 3
    assert result.overall["coders"] == ["alice", "bob"]
    per = result.per_indicator.set_index("indicator")
    assert sorted(per.index) == ["sp_economic_coercion", "sp_info_manipulation", "sp_media_capture"]
    # economic coercion: both coders agree on all three records (1,1 / 1,1 / 0,0)
    assert per.loc["sp_economic_coercion", "alpha"] == 1.0
    assert per.loc["sp_economic_coercion", "disagreements"] == 0
    # the same numbers through the package: units r1..r3, coders alice and bob
    info = [[0, 1, 0], [0, 0, 1]]
    assert per.loc["sp_info_manipulation", "alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=np.array(info, float), level_of_measurement="nominal"))
    pooled = np.array([[1, 1, 0, 0, 1, 0, 0, 0, 1], [1, 1, 0, 0, 0, 1, 0, 0, 0]], float)
    assert result.overall["alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=pooled, level_of_measurement="nominal"))
    dis = {(r.evidence_id, r.indicator): (r.coded_by, r.not_coded_by)
           for r in result.disagreements.itertuples()}
    assert dis == {("r2", "sp_info_manipulation"): (["alice"], ["bob"]),
                   ("r3", "sp_info_manipulation"): (["bob"], ["alice"]),
                   ("r3", "sp_media_capture"): (["alice"], ["bob"])}
    as_dict = result.to_dict()
    assert as_dict["overall"]["records"] == 3 and len(as_dict["disagreements"]) == 3


def test_agreement_with_no_double_coding_is_empty(db):
    _add(db, "r1", ["sp_economic_coercion"])
    result = ev.agreement(db)
    assert result.overall["alpha"] is None and result.overall["records"] == 0
    assert result.per_indicator.empty and result.disagreements.empty
