"""Attraction versus influence: the disconnect quadrant per actor x target x year.

The seed essay's observation: foreign publics dislike China and Russia while their influence
grows. Each target-year is placed on two axes:

- attraction (:data:`ATTRACTION_AXES`): ``favorable`` = share of adults with a favourable
  view (percent, threshold 50: a majority favourable) or ``net`` = favourable minus
  unfavourable (points, threshold 0), with the opinion engine's 95% interval;
- influence (:data:`INFLUENCE_AXES`): the index engine's ``influence`` index (exposure +
  pressure + effect) or one of its pillars; threshold = the cross-target median of the score in that
  actor-year (influence has no natural zero), with the score interval when the engine gives
  one and otherwise its rank interval (rank 1 = most influence; the engine's interval runs
  from the 5th to the 95th percentile rank over its Monte Carlo choices, so influence
  certainty is at that level, not 95%).

Any measure name (indicator code or ``index:<level>:<name>``) can stand in for an axis; a
float threshold replaces the default rule. The quadrant is certain when both intervals lie
wholly on one side of their thresholds (for a median threshold read through ranks: the rank
interval lies wholly above or below the median rank (N + 1) / 2 of the N ranked targets).
A point exactly on a threshold counts as high.

Moves between two years (:func:`movement`) compare both years against one threshold per
axis, the later year's: a median that moves with the year would otherwise change a
target's quadrant while its score stays put.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sharppower.analysis.common import (
    Z95,
    interval_side,
    join_reasons,
    measure,
    missing_reason,
    year_list,
)
from sharppower.store import Database

MEDIAN = "median"


@dataclass(frozen=True)
class Axis:
    measure: str
    threshold: float | str  # a number, or "median" (cross-target median per year)
    unit: str


ATTRACTION_AXES = {
    "favorable": Axis("att_favorable", 50.0, "percent favourable"),
    "net": Axis("att_net", 0.0, "net favourability, points"),
}
INFLUENCE_AXES = {
    "influence": Axis("index:index:influence", MEDIAN, "influence index score"),
    "exposure": Axis("index:pillar:exposure", MEDIAN, "exposure pillar score"),
    "pressure": Axis("index:pillar:pressure", MEDIAN, "pressure pillar score"),
    "effect": Axis("index:pillar:effect", MEDIAN, "effect pillar score"),
    # the v1 spec's pillars (specs/influence_v1.yaml), when a store holds that run
    "sharp_power": Axis("index:pillar:sharp_power", MEDIAN, "sharp power pillar score"),
    "reach": Axis("index:pillar:reach", MEDIAN, "reach pillar score"),
}
QUADRANTS = {
    (True, True): "both",
    (False, True): "influence_without_attraction",
    (True, False): "attraction_without_influence",
    (False, False): "neither",
}
_AXIS = ["", "_se", "_ci_low", "_ci_high", "_n", "_threshold", "_threshold_rule", "_high",
         "_certain", "_interval"]
_RANKS = ["_rank", "_rank_low", "_rank_high"]
QUADRANT_COLUMNS = (
    ["actor", "target", "year", "attraction_measure"] + [f"attraction{f}" for f in _AXIS]
    + ["influence_measure"] + [f"influence{f}" for f in _AXIS[:5] + _RANKS + _AXIS[5:]]
    + ["quadrant", "quadrant_certain", "missing"])


def resolve_axis(registry: dict[str, Axis], name: str, threshold: float | str | None) -> Axis:
    """A registered axis by name, or any measure name with a median threshold by default."""
    axis = registry.get(name) or Axis(name, MEDIAN, name)
    if threshold is not None:
        axis = Axis(axis.measure, threshold if threshold == MEDIAN else float(threshold), axis.unit)
    return axis


def quadrants(db: Database, actor: str, years: int | Iterable[int], attraction: str = "favorable",
              influence: str = "influence", attraction_threshold: float | str | None = None,
              influence_threshold: float | str | None = None,
              targets: Iterable[str] | None = None) -> pd.DataFrame:
    """Quadrant of every target of `actor` in `years`.

    Columns: actor, target, year, attraction_measure, attraction, attraction_se,
    attraction_ci_low, attraction_ci_high (95%), attraction_n, attraction_threshold,
    attraction_threshold_rule ("fixed" or "median" across the year's targets), attraction_high, attraction_certain, attraction_interval ("score" or "none"), the same
    for influence (plus influence_rank, influence_rank_low, influence_rank_high;
    influence_interval "score", "rank" or "none"), quadrant (both,
    influence_without_attraction, attraction_without_influence, neither; NA when an axis is
    missing), quadrant_certain (True only when both axes are certain), missing (why an
    axis is NA). Targets with either axis appear, plus any listed in `targets`.
    """
    att_axis = resolve_axis(ATTRACTION_AXES, attraction, attraction_threshold)
    inf_axis = resolve_axis(INFLUENCE_AXES, influence, influence_threshold)
    att = measure(db, actor, att_axis.measure, years)
    inf = measure(db, actor, inf_axis.measure, years)
    return classify(att, inf, att_axis, inf_axis, actor, year_list(years), targets)


def classify(att: pd.DataFrame, inf: pd.DataFrame, att_axis: Axis, inf_axis: Axis, actor: str,
             years: list[int] | None = None, targets: Iterable[str] | None = None) -> pd.DataFrame:
    """Quadrants from two measure frames (the pure part of :func:`quadrants`)."""
    grid = _grid([att, inf], years, targets)
    a = evaluate_axis(grid.merge(att, on=["target", "year"], how="left"), att_axis, "attraction")
    i = evaluate_axis(grid.merge(inf, on=["target", "year"], how="left"), inf_axis, "influence")
    out = pd.concat([grid, a, i], axis=1)
    out["actor"] = actor
    out["attraction_measure"], out["influence_measure"] = att_axis.measure, inf_axis.measure
    high_a, high_i = out["attraction_high"], out["influence_high"]
    known = high_a.notna() & high_i.notna()
    out["quadrant"] = pd.Series(
        [QUADRANTS[(bool(x), bool(y))] if k else None for x, y, k in zip(high_a, high_i, known)],
        index=out.index, dtype=object)
    certain = (out["attraction_certain"].fillna(False) & out["influence_certain"].fillna(False))
    out["quadrant_certain"] = certain.astype("boolean").where(known, pd.NA)
    out["missing"] = join_reasons(out["attraction_missing"], out["influence_missing"])
    return out[QUADRANT_COLUMNS].sort_values(["year", "target"]).reset_index(drop=True)


def _grid(frames: list[pd.DataFrame], years: list[int] | None, targets: Iterable[str] | None) -> pd.DataFrame:
    keys = pd.concat([f[["target", "year"]] for f in frames], ignore_index=True)
    if targets is not None:
        extra = [(t, y) for t in targets for y in (years or sorted(keys["year"].dropna().unique()))]
        keys = pd.concat([keys, pd.DataFrame(extra, columns=["target", "year"])], ignore_index=True)
    keys["year"] = keys["year"].astype("Int64")
    keys["target"] = keys["target"].astype(object)
    return keys.drop_duplicates().sort_values(["year", "target"]).reset_index(drop=True)


def axis_threshold(frame: pd.DataFrame, axis: Axis) -> pd.Series:
    """The threshold per row: the fixed number or the median of `value` within the year."""
    if axis.threshold == MEDIAN:
        return frame.groupby("year")["value"].transform("median").astype(float)
    return pd.Series(float(axis.threshold), index=frame.index)


def evaluate_axis(frame: pd.DataFrame, axis: Axis, prefix: str) -> pd.DataFrame:
    """Value, interval, threshold, high / certain flags of one axis (columns `<prefix>_...`)."""
    value = frame["value"]
    thr = axis_threshold(frame, axis)
    high = (value >= thr).astype("boolean").where(value.notna() & thr.notna(), pd.NA)
    side = interval_side(frame["ci_low"], frame["ci_high"], thr)
    basis = pd.Series(np.where(side.notna(), "score", "none"), index=frame.index, dtype=object)
    if axis.threshold == MEDIAN:
        rank_side = _rank_side(frame)
        use = side.isna() & rank_side.notna()
        side = side.where(~use, rank_side)
        basis[use] = "rank"
    sure = ((side == 1) & high.fillna(False)) | ((side == -1) & ~high.fillna(True))
    certain = sure.fillna(False).astype("boolean").where(high.notna(), pd.NA)
    out = pd.DataFrame({
        prefix: value, f"{prefix}_se": frame["se"], f"{prefix}_ci_low": frame["ci_low"],
        f"{prefix}_ci_high": frame["ci_high"], f"{prefix}_n": frame["n"],
        f"{prefix}_rank": frame["rank"], f"{prefix}_rank_low": frame["rank_low"],
        f"{prefix}_rank_high": frame["rank_high"], f"{prefix}_threshold": thr,
        f"{prefix}_threshold_rule": MEDIAN if axis.threshold == MEDIAN else "fixed",
        f"{prefix}_high": high, f"{prefix}_certain": certain, f"{prefix}_interval": basis,
    }, index=frame.index)
    if prefix == "attraction":
        out = out.drop(columns=[f"{prefix}_rank", f"{prefix}_rank_low", f"{prefix}_rank_high"])
    out[f"{prefix}_missing"] = missing_reason(frame, f"{prefix} ({axis.measure})")
    return out


def _rank_side(frame: pd.DataFrame) -> pd.Series:
    """Rank interval against the median rank (N + 1) / 2; rank 1 = highest score."""
    n_ranked = frame.groupby("year")["rank"].transform("count").astype(float)
    mid = (n_ranked + 1) / 2
    above = frame["rank_high"] < mid  # even the worst rank is better than the median
    below = frame["rank_low"] > mid
    side = pd.Series(np.where(above, 1, np.where(below, -1, 0)), index=frame.index, dtype="Int64")
    side[frame["rank_low"].isna() | frame["rank_high"].isna() | frame["value"].isna()] = pd.NA
    return side


def movement(db: Database, actor: str, from_year: int, to_year: int,
             attraction: str = "favorable", influence: str = "influence",
             attraction_threshold: float | str | None = None,
             influence_threshold: float | str | None = None,
             targets: Iterable[str] | None = None) -> pd.DataFrame:
    """How each target moved between two years, both years placed against ONE threshold
    per axis (options as :func:`quadrants`).

    A median threshold moves with the year (the influence median was 22.3 in 2015 and
    35.6 in 2022 for China): comparing each year against its own median would change a
    target's quadrant while its score hardly moved. So the threshold of `to_year` (the
    later year: the one the quadrant chart shows) is computed once and applied to both
    years; a fixed threshold (attraction's 50%) is the same in both years anyway. An
    explicit number for `attraction_threshold` / `influence_threshold` is used as given.

    Columns: actor, target, from_year, to_year, attraction_from, attraction_to,
    attraction_delta, attraction_delta_ci_low, attraction_delta_ci_high (95%; independent
    samples: se = sqrt(se_from^2 + se_to^2)), attraction_change_significant (the interval
    excludes 0), influence_from, influence_to, influence_delta, influence_delta_ci_low,
    influence_delta_ci_high (from score se in quadrature: conservative when the two years'
    errors are positively correlated; NaN without score intervals), influence_rank_from,
    influence_rank_to, influence_rank_delta (negative = moved up), quadrant_from,
    quadrant_to (both against the one threshold), quadrant_certain_from,
    quadrant_certain_to, quadrant_changed, attraction_threshold, influence_threshold (the
    numbers both years were compared with), threshold_rule (in words), missing.
    """
    later = quadrants(db, actor, to_year, attraction, influence, attraction_threshold,
                      influence_threshold, targets)
    thresholds, rules = {}, []
    for axis, given, registry in (("attraction", attraction_threshold, ATTRACTION_AXES),
                                  ("influence", influence_threshold, INFLUENCE_AXES)):
        rule = resolve_axis(registry, attraction if axis == "attraction" else influence,
                            given).threshold
        values = later[f"{axis}_threshold"].dropna().unique()
        thresholds[axis] = float(values[0]) if len(values) else (
            float(rule) if rule != MEDIAN else float("nan"))
        rules.append(threshold_words(axis, rule, thresholds[axis], to_year))
    earlier = quadrants(db, actor, from_year, attraction, influence, thresholds["attraction"],
                        thresholds["influence"], targets)
    out = compare_years(pd.concat([earlier, later], ignore_index=True), from_year, to_year,
                        actor)
    out["attraction_threshold"] = thresholds["attraction"]
    out["influence_threshold"] = thresholds["influence"]
    out["threshold_rule"] = "; ".join(rules)
    return out


def threshold_words(axis: str, rule: float | str, value: float, year: int) -> str:
    """'influence: the 2022 median across targets, 35.61, for both years' (or a fixed one)."""
    number = "none (no value that year)" if not np.isfinite(value) else f"{value:.2f}"
    if rule == MEDIAN:
        return f"{axis}: the {year} median across targets, {number}, for both years"
    return f"{axis}: fixed at {number} in both years"


def compare_years(q: pd.DataFrame, from_year: int, to_year: int, actor: str) -> pd.DataFrame:
    """Movement table from a quadrants frame covering both years."""
    cols = ["target", "attraction", "attraction_se", "influence", "influence_se", "influence_rank",
            "quadrant", "quadrant_certain", "missing"]
    a = q.loc[q["year"] == from_year, cols]
    b = q.loc[q["year"] == to_year, cols]
    m = a.merge(b, on="target", how="outer", suffixes=("_from", "_to")).sort_values("target")
    out = pd.DataFrame({"actor": actor, "target": m["target"], "from_year": from_year, "to_year": to_year})
    for axis in ("attraction", "influence"):
        out[f"{axis}_from"], out[f"{axis}_to"] = m[f"{axis}_from"], m[f"{axis}_to"]
        delta = m[f"{axis}_to"] - m[f"{axis}_from"]
        se = np.sqrt(m[f"{axis}_se_from"] ** 2 + m[f"{axis}_se_to"] ** 2)
        out[f"{axis}_delta"] = delta
        out[f"{axis}_delta_ci_low"] = delta - Z95 * se
        out[f"{axis}_delta_ci_high"] = delta + Z95 * se
        if axis == "attraction":
            sig = (out["attraction_delta_ci_low"] > 0) | (out["attraction_delta_ci_high"] < 0)
            out["attraction_change_significant"] = sig.astype("boolean").where(se.notna(), pd.NA)
    out["influence_rank_from"], out["influence_rank_to"] = m["influence_rank_from"], m["influence_rank_to"]
    out["influence_rank_delta"] = m["influence_rank_to"] - m["influence_rank_from"]
    for k in ("quadrant", "quadrant_certain"):
        out[f"{k}_from"], out[f"{k}_to"] = m[f"{k}_from"], m[f"{k}_to"]
    both = m["quadrant_from"].notna() & m["quadrant_to"].notna()
    out["quadrant_changed"] = (m["quadrant_from"] != m["quadrant_to"]).astype("boolean").where(both, pd.NA)
    out["missing"] = join_reasons(_tag(m["missing_from"], from_year, m["quadrant_from"]),
                                  _tag(m["missing_to"], to_year, m["quadrant_to"]))
    return out.reset_index(drop=True)


def _tag(reasons: pd.Series, year: int, quadrant: pd.Series) -> pd.Series:
    """Reasons of one year; a target absent that year gets 'no data for <year>'."""
    return pd.Series([r if isinstance(r, str) else (f"no data for {year}" if pd.isna(q) else None)
                      for r, q in zip(reasons, quadrant)], index=reasons.index, dtype=object)
