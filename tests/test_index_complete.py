"""Completing the index panel: declared zeros inside a source's span, stale values past its
end with their age (hand-computed cases)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sharppower.index.complete import complete

NAN = np.nan


def _panel(rows: dict, columns: list[str]) -> pd.DataFrame:
    index = pd.MultiIndex.from_tuples(sorted(rows), names=["actor", "target", "year"])
    return pd.DataFrame([rows[k] for k in sorted(rows)], index=index, columns=columns, dtype=float)


def test_declared_zero_fills_inside_the_span_only_and_for_its_actors():
    rows = {("CHN", "AAA", 2010): [5, NAN], ("CHN", "BBB", 2010): [NAN, 1],
            ("CHN", "BBB", 2011): [NAN, 2], ("CHN", "AAA", 2012): [7, 3],
            ("CHN", "BBB", 2013): [NAN, 4], ("RUS", "AAA", 2010): [NAN, 1]}
    done = complete(_panel(rows, ["arms", "trade"]), {"arms": "zero"}, {"arms": ["CHN"]})
    v, z = done.values, done.zero
    assert v.loc[("CHN", "BBB", 2010), "arms"] == 0 and z.loc[("CHN", "BBB", 2010), "arms"]
    assert v.loc[("CHN", "BBB", 2011), "arms"] == 0  # inside CHN arms span 2010-2012
    assert np.isnan(v.loc[("CHN", "BBB", 2013), "arms"])  # after the span: not a zero
    assert np.isnan(v.loc[("RUS", "AAA", 2010), "arms"])  # arms applies to CHN only
    assert not z["trade"].any()  # trade declares no zeros
    assert v.loc[("CHN", "AAA", 2010), "arms"] == 5 and not z.loc[("CHN", "AAA", 2010), "arms"]


def test_stale_values_carry_past_the_source_end_with_their_age():
    rows = {("CHN", "AAA", y): [v, 1.0] for y, v in [(2016, 1), (2017, NAN), (2018, 3),
                                                      (2019, NAN), (2020, NAN), (2024, NAN)]}
    rows |= {("CHN", "BBB", 2015): [9, 1.0], ("CHN", "BBB", 2019): [NAN, 1.0]}
    done = complete(_panel(rows, ["trade", "vote"]), {}, {}, max_age=3)
    v, age = done.values["trade"], done.age["trade"]
    assert np.isnan(v[("CHN", "AAA", 2017)])  # gap inside the span (ends 2018): missing
    assert v[("CHN", "AAA", 2019)] == 3 and age[("CHN", "AAA", 2019)] == 1
    assert v[("CHN", "AAA", 2020)] == 3 and age[("CHN", "AAA", 2020)] == 2
    assert np.isnan(v[("CHN", "AAA", 2024)])  # 6 years old > max_age
    assert np.isnan(v[("CHN", "BBB", 2019)])  # last seen 2015: 4 years > max_age 3
    assert age[("CHN", "AAA", 2018)] == 0 and np.isnan(age[("CHN", "AAA", 2017)])


def test_no_carry_without_max_age_and_empty_panel():
    rows = {("CHN", "AAA", 2010): [1.0], ("CHN", "AAA", 2011): [NAN], ("CHN", "BBB", 2011): [2.0]}
    done = complete(_panel(rows, ["x"]), {}, {}, max_age=0)
    assert np.isnan(done.values.loc[("CHN", "AAA", 2011), "x"])
    empty = complete(_panel({}, ["x"]), {"x": "zero"}, {}, max_age=5)
    assert empty.values.empty and empty.zero.empty


def test_declared_zeros_only_inside_the_source_universe():
    """A target outside the universe, or a year outside it (or off its spacing), stays
    missing; inside it, a target-year with no record is a declared zero."""
    from sharppower.sources.base import Universe

    rows = {("RUS", t, y): [NAN, 1.0] for t in ("EST", "AUS") for y in (2000, 2005, 2006, 2010)}
    rows[("RUS", "EST", 2000)] = [3.0, 1.0]
    rows[("RUS", "AUS", 2010)] = [2.0, 1.0]  # a record outside the target list stays itself
    looked = Universe(years=(2000, 2008), targets=("EST",), every=5)
    done = complete(_panel(rows, ["incidents", "trade"]), {"incidents": "zero"}, {},
                    universes={"incidents": looked})
    v, z = done.values["incidents"], done.zero["incidents"]
    assert v[("RUS", "EST", 2005)] == 0 and z[("RUS", "EST", 2005)]  # inside, no record: zero
    assert v[("RUS", "EST", 2000)] == 3 and not z[("RUS", "EST", 2000)]
    assert np.isnan(v[("RUS", "EST", 2006)])  # off the 5-year spacing: missing
    assert np.isnan(v[("RUS", "EST", 2010)])  # after the universe's last year: missing
    assert np.isnan(v[("RUS", "AUS", 2005)]) and not z[("RUS", "AUS", 2005)]  # not looked at
    assert v[("RUS", "AUS", 2010)] == 2
    # without the universe the same panel is completed over the observed span 2000-2010
    span_only = complete(_panel(rows, ["incidents", "trade"]), {"incidents": "zero"}, {})
    assert span_only.values["incidents"][("RUS", "AUS", 2005)] == 0
    assert span_only.values["incidents"][("RUS", "EST", 2006)] == 0


def test_the_default_spec_reads_each_source_universe():
    from sharppower.index.spec import load_spec
    from sharppower.sources.registry import SOURCES

    spec = load_spec()
    assert spec.universes["exp_arms_share_5yr"] == SOURCES["sipri-arms-transfers"].universe
    assert spec.universes["prs_leader_visits"].years == (2003, 2018)
    zeros = [c for c in spec.needed if spec.absent.get(c) == "zero"
             and not c.startswith("exp_investment_stock_trade")]
    assert zeros and all(c in spec.universes for c in zeros), zeros
