"""The run summary: what was screened, imputed and treated, and how each indicator
correlates with its own pillar (a negative correlation is a warning: the indicator pulls
its pillar the other way, which usually means a wrong direction or a broken series).

`indicator_table(run)` columns: actor, indicator, pillar, domain, observed (cells with a
value that screening kept), imputed (cells filled), winsorised (points), log_transformed
(cross-sections log-transformed), correlation (Pearson, over the actor's units, of the
normalised indicator with the nominal pillar score), warning.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

INDICATOR_COLUMNS = ["actor", "indicator", "pillar", "domain", "observed", "imputed",
                     "winsorised", "log_transformed", "correlation", "warning"]


def _correlation(x: np.ndarray, y: np.ndarray) -> float:
    ok = ~np.isnan(x) & ~np.isnan(y)
    if ok.sum() < 3 or np.std(x[ok]) == 0 or np.std(y[ok]) == 0:
        return float("nan")
    return float(np.corrcoef(x[ok], y[ok])[0, 1])


def _treatment_counts(report: pd.DataFrame) -> pd.DataFrame:
    if report.empty:
        return pd.DataFrame(columns=["actor", "indicator", "winsorised", "log_transformed"])
    rep = report.assign(win=np.where(report["action"] == "winsorised", report["points"], 0),
                        log=(report["action"] == "log").astype(int))
    out = rep.groupby(["actor", "indicator"])[["win", "log"]].sum().reset_index()
    return out.rename(columns={"win": "winsorised", "log": "log_transformed"})


def indicator_table(run) -> pd.DataFrame:
    tree, cells = run.tree, run.screened.cells
    raw = run.inputs.values.to_numpy(dtype=float)
    imputed = run.data.imputed.to_numpy(dtype=float)
    norm = run.data.normalised.to_numpy(dtype=float)
    actors = run.inputs.units.get_level_values("actor").to_numpy()
    domain_of = {c: d for d in tree.by_level("domain") for c in tree.children[d]}
    rows = []
    for actor in pd.unique(actors):
        sel = actors == actor
        for j, code in enumerate(tree.leaves):
            pillar = tree.pillar_of[code]
            r = _correlation(norm[sel, j], run.scores[pillar].to_numpy()[sel])
            rows.append({
                "actor": actor, "indicator": code, "pillar": pillar, "domain": domain_of[code],
                "observed": int((cells[sel, j] & ~np.isnan(raw[sel, j])).sum()),
                "imputed": int((cells[sel, j] & np.isnan(raw[sel, j])
                                & ~np.isnan(imputed[sel, j])).sum()),
                "correlation": r,
                "warning": (f"correlates negatively with its pillar {pillar} (r = {r:.2f})"
                            if r < 0 else None),
            })
    table = pd.DataFrame(rows, columns=[c for c in INDICATOR_COLUMNS
                                        if c not in ("winsorised", "log_transformed")])
    counts = _treatment_counts(run.data.treatment)
    table = table.merge(counts, on=["actor", "indicator"], how="left")
    table[["winsorised", "log_transformed"]] = (
        table[["winsorised", "log_transformed"]].fillna(0).astype(int))
    return table[INDICATOR_COLUMNS]


def run_summary(run, indicators: pd.DataFrame | None = None) -> dict[str, Any]:
    """A JSON-able summary of the run (stored with it, printed by `index build`)."""
    indicators = indicator_table(run) if indicators is None else indicators
    dropped = run.screened.dropped
    years = run.inputs.units.get_level_values("year")
    no_data = indicators.groupby("indicator")["observed"].sum()
    warnings = [f"{r.actor} {r.indicator}: {r.warning}"
                for r in indicators.itertuples() if isinstance(r.warning, str)]
    empty = sorted(no_data[no_data == 0].index)
    if empty:
        warnings.append(f"{len(empty)} of {len(no_data)} indicators have no usable "
                        f"observation: {', '.join(empty)}")
    by_node = (dropped.groupby(["actor", "node", "kind"]).size().rename("dropped").reset_index()
               .to_dict("records") if not dropped.empty else [])
    return {
        "spec": run.spec.name, "units": len(run.inputs.values),
        "actors": sorted(pd.unique(run.inputs.units.get_level_values("actor")).tolist()),
        "years": [int(years.min()), int(years.max())] if len(years) else None,
        "inputs": run.inputs.notes, "excluded": [list(e) for e in run.spec.excluded],
        "not_in_spec": run.spec.unused,
        "screened": {"units": int((dropped["kind"] == "unit").sum()),
                     "indicators": int((dropped["kind"] == "indicator").sum()),
                     "by_node": by_node},
        "imputed": int(indicators["imputed"].sum()),
        "winsorised": int(indicators["winsorised"].sum()),
        "log_transformed": int(indicators["log_transformed"].sum()),
        "warnings": warnings,
        "monte_carlo": run.extra.get("monte_carlo"),
        "hierarchy": run.spec.nodes(),
    }
