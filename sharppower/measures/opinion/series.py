"""Changes, trends, historic highs and lows, medians: pure functions on estimate frames.

A *series* is one actor x public over the waves (years) in which the public was asked.
All take the current estimates (columns of schema.ESTIMATE_COLUMNS, flags as lists) and
leave out cells flagged "suspect" unless `include_suspect`; medians also leave out
self-ratings unless `include_self`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sharppower.measures.opinion.schema import MEASURES, SELF_RATING, SUSPECT, Z95

SERIES = ["actor", "public"]
MIN_PRIOR_WAVES = 3  # a historic high / low needs at least this many earlier waves
SE_FLOOR = 0.1  # points: an estimate of exactly 0 or 100 still gets some weight in the trend
MEDIAN_MEASURES = ("favorable", "unfavorable", "very_unfavorable", "net", "dk")
TREND_COLUMNS = ["actor", "public", "waves", "first_year", "last_year", "slope", "slope_se",
                 "slope_ci_low", "slope_ci_high", "p_value"]
MEDIAN_COLUMNS = ["actor", "year", "publics", *MEDIAN_MEASURES]
CHANGE_COLUMNS = [
    "actor", "public", "year", "value", "se", "prev_year", "prev_value", "change", "change_se",
    "z", "p_value", "significant", "base_year", "base_value", "change_base", "change_base_se",
    "z_base", "p_value_base", "significant_base", "historic_high", "historic_low",
    "series_high", "series_low",
]


def usable(est: pd.DataFrame, include_suspect: bool = False, include_self: bool = True) -> pd.DataFrame:
    keep = pd.Series(True, index=est.index)
    if not include_suspect:
        keep &= ~est["flags"].map(lambda f: SUSPECT in f)
    if not include_self:
        keep &= ~est["flags"].map(lambda f: SELF_RATING in f)
    return est[keep]


def _check_measure(measure: str) -> None:
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; known: {', '.join(MEASURES)}")


def _z_test(diff: pd.Series, se: pd.Series) -> tuple[pd.Series, pd.Series]:
    from scipy import stats  # scipy.stats loads when a test runs, not with the package

    z = diff / se
    return z, pd.Series(2 * stats.norm.sf(np.abs(z)), index=diff.index)


def changes(est: pd.DataFrame, measure: str = "unfavorable", base_year: int | None = None,
            include_suspect: bool = False) -> pd.DataFrame:
    """Change of `measure` against the previous wave and against `base_year`, per cell.

    Columns: actor, public, year, value, se, prev_year, prev_value, change, change_se, z,
    p_value, significant (p < 0.05), base_year, base_value, change_base, change_base_se,
    z_base, p_value_base, significant_base, historic_high, historic_low (the value is above /
    below every earlier wave of the series, given at least MIN_PRIOR_WAVES earlier waves),
    series_high, series_low (the highest / lowest wave of the whole series).
    The test is a two-sided z test on the difference of two independent samples:
    se_diff = sqrt(se1^2 + se2^2), each se design-based (it carries the design effect).
    """
    _check_measure(measure)
    data = usable(est, include_suspect).sort_values(SERIES + ["year"])
    out = data[SERIES + ["year"]].copy()
    out["value"], out["se"] = data[measure], data[f"{measure}_se"]
    grouped = out.groupby(SERIES, sort=False)
    out["prev_year"] = grouped["year"].shift(1).astype("Int64")
    out["prev_value"], prev_se = grouped["value"].shift(1), grouped["se"].shift(1)
    out["change"] = out["value"] - out["prev_value"]
    out["change_se"] = np.sqrt(out["se"] ** 2 + prev_se ** 2)
    out["z"], out["p_value"] = _z_test(out["change"], out["change_se"])
    out["significant"] = out["p_value"] < 0.05
    prior = out[SERIES].assign(value=out["prev_value"]).groupby(SERIES, sort=False)["value"]
    prior_max, prior_min = prior.cummax(), prior.cummin()  # over the earlier waves
    prior_n = grouped.cumcount()
    flags = pd.DataFrame({
        "historic_high": (prior_n >= MIN_PRIOR_WAVES) & (out["value"] > prior_max),
        "historic_low": (prior_n >= MIN_PRIOR_WAVES) & (out["value"] < prior_min),
        "series_high": out["value"] == grouped["value"].transform("max"),
        "series_low": out["value"] == grouped["value"].transform("min"),
    }).reset_index(drop=True)
    based = _against_base(out.reset_index(drop=True), base_year)
    return pd.concat([based, flags], axis=1)[CHANGE_COLUMNS]


def _against_base(out: pd.DataFrame, base_year: int | None) -> pd.DataFrame:
    base = out[out["year"] == base_year][SERIES + ["value", "se"]] if base_year else None
    if base is None or base.empty:
        base = pd.DataFrame(columns=SERIES + ["value", "se"])
    base = base.rename(columns={"value": "base_value", "se": "base_se"})
    merged = out.merge(base, on=SERIES, how="left")
    merged["base_year"] = pd.array([base_year] * len(merged), dtype="Int64")
    merged["base_value"] = merged["base_value"].astype(float)
    merged["change_base"] = merged["value"] - merged["base_value"]
    merged["change_base_se"] = np.sqrt(merged["se"] ** 2 + merged["base_se"].astype(float) ** 2)
    merged["z_base"], merged["p_value_base"] = _z_test(merged["change_base"], merged["change_base_se"])
    merged["significant_base"] = merged["p_value_base"] < 0.05
    return merged.drop(columns=["base_se"]).reindex(columns=CHANGE_COLUMNS[:-4]).reset_index(drop=True)


def trend(est: pd.DataFrame, measure: str = "unfavorable", last: int = 5,
          include_suspect: bool = False) -> pd.DataFrame:
    """Slope of `measure` (points per year) over the last `last` waves of each series.

    Weighted least squares of the estimates on the year with weights 1/se^2 (se floored at
    SE_FLOOR). The slope's variance is the WLS one, scaled by the residual dispersion
    chi2 / (k - 2) when it exceeds 1 (real change between waves beyond sampling error); the
    95% interval uses Student's t with k - 2 degrees of freedom (normal when k = 2).
    Columns: actor, public, waves, first_year, last_year, slope, slope_se, slope_ci_low,
    slope_ci_high, p_value. Series with fewer than two waves are left out.
    """
    from scipy import stats
    _check_measure(measure)
    data = usable(est, include_suspect).sort_values(SERIES + ["year"])
    data = data.groupby(SERIES, sort=False).tail(last)
    if data.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    x, y = data["year"].astype(float), data[measure]
    w = 1.0 / np.maximum(data[f"{measure}_se"].fillna(SE_FLOOR), SE_FLOOR) ** 2
    frame = pd.DataFrame({"actor": data["actor"], "public": data["public"], "w": w, "wx": w * x,
                          "wy": w * y, "wxx": w * x * x, "wxy": w * x * y, "year": data["year"]})
    s = frame.groupby(SERIES, sort=False).agg(
        waves=("w", "size"), first_year=("year", "min"), last_year=("year", "max"),
        w=("w", "sum"), wx=("wx", "sum"), wy=("wy", "sum"), wxx=("wxx", "sum"), wxy=("wxy", "sum"))
    s = s[s["waves"] >= 2]
    sxx = s["wxx"] - s["wx"] ** 2 / s["w"]
    s["slope"] = (s["wxy"] - s["wx"] * s["wy"] / s["w"]) / sxx
    intercept = (s["wy"] - s["slope"] * s["wx"]) / s["w"]
    fitted = data.join(pd.DataFrame({"b": s["slope"], "a": intercept}), on=SERIES, how="inner")
    resid = (fitted[measure] - fitted["a"] - fitted["b"] * fitted["year"]) ** 2 * w[fitted.index]
    chi2 = resid.groupby([fitted["actor"], fitted["public"]], sort=False).sum()
    dof = s["waves"] - 2
    scale = np.where(dof > 0, np.maximum(1.0, chi2.reindex(s.index) / dof.clip(lower=1)), 1.0)
    s["slope_se"] = np.sqrt(scale / sxx)
    crit = np.where(dof > 0, stats.t.ppf(0.975, dof.clip(lower=1)), Z95)
    s["slope_ci_low"] = s["slope"] - crit * s["slope_se"]
    s["slope_ci_high"] = s["slope"] + crit * s["slope_se"]
    tstat = np.abs(s["slope"] / s["slope_se"])
    s["p_value"] = np.where(dof > 0, 2 * stats.t.sf(tstat, dof.clip(lower=1)), 2 * stats.norm.sf(tstat))
    return s[TREND_COLUMNS[2:]].reset_index()


def medians(est: pd.DataFrame, include_self: bool = False,
            include_suspect: bool = False) -> pd.DataFrame:
    """Cross-public medians per actor and year, as Pew reports them.

    Columns: actor, year, publics (how many), and the median of favorable, unfavorable,
    very_unfavorable, net, dk across those publics.
    """
    data = usable(est, include_suspect, include_self)
    if data.empty:
        return pd.DataFrame(columns=MEDIAN_COLUMNS)
    grouped = data.groupby(["actor", "year"], sort=True)
    out = grouped[list(MEDIAN_MEASURES)].median()
    out.insert(0, "publics", grouped.size())
    return out.reset_index()
