"""Profile decisions in the analysis library: the highs of an attraction series, the
latest value of each resilience covariate, the years both quadrant axes cover."""

from __future__ import annotations

import pandas as pd

from sharppower.analysis.frames import tidy
from sharppower.analysis.profile import attraction_series, axis_years, highs, latest_covariates


def _frame(rows: list[tuple]) -> pd.DataFrame:
    return tidy(pd.DataFrame(rows, columns=["target", "year", "value"]).assign(
        flags=[[] for _ in rows], source="test"))


def _flags(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["public", "year", "value", "series_high", "historic_high"])


def test_highs_follow_the_engine_flags_else_the_highest_point():
    points = [{"year": 2019, "value": 40.0}, {"year": 2020, "value": 55.0},
              {"year": 2021, "value": float("nan")}]
    assert highs(points, pd.DataFrame()) == ({"year": 2020, "value": 55.0}, [])
    flags = _flags([("SWE", 2019, 60.0, True, True), ("SWE", 2020, 55.0, False, False)])
    high, records = highs(points, flags)
    assert high == {"year": 2019, "value": 60.0}  # the engine's figure, not the points'
    assert records == [{"year": 2019, "value": 60.0}]
    none_high = _flags([("SWE", 2019, 40.0, False, False)])
    assert highs(points, none_high) == ({"year": 2020, "value": 55.0}, [])
    assert highs([], pd.DataFrame()) == (None, [])


def test_attraction_series_per_indicator_and_actor():
    frames = {"att_favorable": _frame([("SWE", 2020, 20.0), ("SWE", 2018, 30.0),
                                       ("NOR", 2020, 50.0)]),
              "att_unfavorable": _frame([("NOR", 2020, 40.0)])}
    flags = lambda db, actor, code: (
        _flags([("SWE", 2018, 30.0, True, True)]) if actor == "CHN" and code == "att_favorable"
        else pd.DataFrame())
    out = attraction_series(None, "SWE", lambda db, actor, code: frames[code], flags)
    assert [(s["indicator"], s["actor"]) for s in out] == [
        (code, actor) for code in ("att_favorable", "att_unfavorable")
        for actor in ("CHN", "RUS", "IRN", "USA")]  # every codebook actor
    out = [s for s in out if s["actor"] in ("CHN", "RUS")]
    chn = out[0]
    assert [p["year"] for p in chn["points"]] == [2018, 2020]
    assert chn["high"] == {"year": 2018, "value": 30.0}
    assert chn["latest"]["value"] == 20.0 and chn["historic_highs"] == [{"year": 2018, "value": 30.0}]
    assert out[1]["high"]["value"] == 30.0 and out[1]["historic_highs"] == []
    assert out[2]["points"] == [] and out[2]["high"] is None and out[2]["latest"] is None


def test_latest_covariates_take_the_last_year_with_a_value():
    frames = {"res_fh_total": _frame([("SWE", 2019, 99.0), ("SWE", 2022, float("nan")),
                                      ("SWE", 2021, 98.0), ("NOR", 2023, 100.0)])}
    read = lambda db, actor, code: frames.get(code, _frame([]))
    rows = {r["indicator"]: r for r in latest_covariates(None, "SWE", "resilience", read)}
    assert rows["res_fh_total"]["year"] == 2021 and rows["res_fh_total"]["value"] == 98.0
    assert rows["res_fh_total"]["years"] == 2
    assert rows["res_wgi_voice"]["value"] is None and rows["res_wgi_voice"]["years"] == 0


def test_axis_years_need_both_axes():
    frames = {"att_favorable": _frame([("SWE", 2019, 40.0), ("SWE", 2020, 41.0),
                                       ("SWE", 2021, float("nan"))]),
              "index:index:influence": _frame([("NOR", 2020, 50.0), ("NOR", 2021, 52.0)])}
    read = lambda db, actor, code: frames[code]
    assert axis_years(None, "CHN", "favorable", "influence", read) == [2020]
