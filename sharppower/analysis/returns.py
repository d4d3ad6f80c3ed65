"""Return on reach: did the actor's investment in a target buy attraction?

For each target, attraction and reach are aggregated over two periods (`before`, `after`;
a year or an inclusive (first, last) pair):

- attraction (default ``att_favorable``): mean of the annual estimates present in the
  period, se = sqrt(sum se_i^2) / k (independent waves); change = after - before with a
  95% interval from se = sqrt(se_before^2 + se_after^2);
- reach (:data:`REACH`): flows (development finance, media partnerships, elite visits) as
  the annual mean over the years present, stocks (Confucius Institutes open) as the value in
  the last year present; optionally transformed (:data:`TRANSFORMS`, e.g. ``log1p`` for
  lumpy finance) before the change is taken.

The number of years behind each aggregate is reported; a period with no year present is
NaN with a reason in `missing` (never 0). :func:`reach_slope` fits the change in attraction
on the change in reach across targets (:data:`sharppower.analysis.stats.SLOPES`: OLS t
interval or pairs bootstrap).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sharppower.analysis.common import Z95, join_reasons, read_observations
from sharppower.analysis.stats import SLOPES
from sharppower.store import Database

Period = int | tuple[int, int]


@dataclass(frozen=True)
class Reach:
    indicator: str
    aggregate: str  # "mean" (annual mean of a flow) or "last" (stock at the period's end)


REACH = {
    "finance": Reach("reach_devfin", "mean"),
    "confucius_institutes": Reach("reach_confucius_institutes", "last"),
    "media_partnerships": Reach("reach_pd_media_partnerships", "mean"),
    "elite_visits": Reach("reach_pd_elite_visits", "mean"),
}
TRANSFORMS = {"none": lambda v: v, "log1p": np.log1p}
COLUMNS = [
    "actor", "target", "reach", "reach_indicator", "transform", "before", "after",
    "attraction_indicator", "attraction_before", "attraction_before_years", "attraction_after",
    "attraction_after_years", "attraction_change", "attraction_change_se",
    "attraction_change_ci_low", "attraction_change_ci_high", "reach_before",
    "reach_before_years", "reach_after", "reach_after_years", "reach_change", "missing",
]


def period_years(period: Period) -> list[int]:
    first, last = (period, period) if isinstance(period, (int, np.integer)) else period
    if last < first:
        raise ValueError(f"period {period!r}: the last year comes before the first")
    return list(range(int(first), int(last) + 1))


def period_label(period: Period) -> str:
    years = period_years(period)
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


def aggregate(frame: pd.DataFrame, period: Period, how: str) -> pd.DataFrame:
    """Per target: value, se, years (count of years with a value) over the period."""
    part = frame[frame["year"].isin(period_years(period)) & frame["value"].notna()]
    part = part.sort_values(["target", "year"])
    g = part.groupby("target")
    if how == "last":
        out = g.tail(1).set_index("target")[["value", "se"]]
    else:
        k = g["value"].count()
        se_ok = g["se"].count() == k
        se = np.sqrt(g["se"].apply(lambda s: float((s ** 2).sum()))) / k
        out = pd.DataFrame({"value": g["value"].mean(), "se": se.where(se_ok)})
    out["years"] = g["value"].count()
    return out


def return_on_reach(db: Database, actor: str, before: Period, after: Period,
                    reach: str = "finance", attraction: str = "att_favorable",
                    transform: str = "none") -> pd.DataFrame:
    """Per target: change in attraction (with 95% interval) against change in reach.

    Columns: :data:`COLUMNS`. Targets with any attraction or reach in either period appear.
    """
    spec = REACH[reach] if reach in REACH else Reach(reach, "mean")
    years = period_years(before) + period_years(after)
    att = read_observations(db, attraction, actor, years)
    rch = read_observations(db, spec.indicator, actor, years)
    return changes(att, rch, actor, before, after, reach, spec, attraction, transform)


def changes(att: pd.DataFrame, rch: pd.DataFrame, actor: str, before: Period, after: Period,
            reach: str, spec: Reach, attraction: str, transform: str = "none") -> pd.DataFrame:
    """The pure part of :func:`return_on_reach`, from two measure frames."""
    f = TRANSFORMS[transform]
    parts = {
        "attraction_before": aggregate(att, before, "mean"), "attraction_after": aggregate(att, after, "mean"),
        "reach_before": aggregate(rch, before, spec.aggregate), "reach_after": aggregate(rch, after, spec.aggregate),
    }
    targets = sorted(set().union(*[set(p.index) for p in parts.values()]))
    out = pd.DataFrame({"actor": actor, "target": targets, "reach": reach,
                        "reach_indicator": spec.indicator, "transform": transform,
                        "before": period_label(before), "after": period_label(after),
                        "attraction_indicator": attraction})
    for name, agg in parts.items():
        agg = agg.reindex(targets)
        out[name] = agg["value"].to_numpy() if name.startswith("attraction") else f(agg["value"].to_numpy())
        out[f"{name}_years"] = agg["years"].fillna(0).astype(int).to_numpy()
        if name.startswith("attraction"):
            out[f"{name}_se"] = agg["se"].to_numpy()
    out["attraction_change"] = out["attraction_after"] - out["attraction_before"]
    se = np.sqrt(out["attraction_before_se"] ** 2 + out["attraction_after_se"] ** 2)
    out["attraction_change_se"] = se
    out["attraction_change_ci_low"] = out["attraction_change"] - Z95 * se
    out["attraction_change_ci_high"] = out["attraction_change"] + Z95 * se
    out["reach_change"] = out["reach_after"] - out["reach_before"]
    out["missing"] = join_reasons(*[_reason(out, name, spec.indicator if name.startswith("reach") else attraction,
                                            before if name.endswith("before") else after)
                                    for name in parts])
    return out[COLUMNS]


def _reason(out: pd.DataFrame, name: str, indicator: str, period: Period) -> pd.Series:
    empty = out[name].isna()
    text = f"no {indicator} in {period_label(period)}"
    return pd.Series(np.where(empty, text, None), index=out.index, dtype=object)


def reach_slope(changes_frame: pd.DataFrame, method: str = "ols", seed: int = 0) -> pd.DataFrame:
    """Slope of attraction change on reach change across targets with both (one row).

    Columns: actor, reach, transform, before, after, method, n (targets used), slope
    (attraction points per unit of reach change), intercept, ci_low, ci_high (95%),
    excluded (targets left out for a missing input), missing (why the slope is NaN).
    """
    f = changes_frame
    ok = f["attraction_change"].notna() & f["reach_change"].notna()
    x = f.loc[ok, "reach_change"].to_numpy(float)
    y = f.loc[ok, "attraction_change"].to_numpy(float)
    fit = SLOPES[method](x, y, seed=seed)
    reason = None
    if len(x) < 3:
        reason = f"only {len(x)} targets with both changes (need 3)"
    elif not np.isfinite(fit["slope"]):
        reason = "reach did not change differently across targets (constant x)"
    first = f.iloc[0] if len(f) else {}
    row = {k: first.get(k) if len(f) else None for k in ("actor", "reach", "transform", "before", "after")}
    row.update({"method": method, "n": int(ok.sum()), **fit, "excluded": int((~ok).sum()),
                "missing": reason})
    return pd.DataFrame([row])


def reach_slopes(db: Database, actor: str, before: Period, after: Period,
                 reaches: Iterable[str] = tuple(REACH), method: str = "ols",
                 attraction: str = "att_favorable", transform: str = "none") -> pd.DataFrame:
    """:func:`reach_slope` for several reach measures, one row each."""
    rows = [reach_slope(return_on_reach(db, actor, before, after, r, attraction, transform), method)
            .assign(actor=actor, reach=r, transform=transform, before=period_label(before),
                    after=period_label(after)) for r in reaches]
    return pd.concat(rows, ignore_index=True)
