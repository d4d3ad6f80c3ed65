"""Time every opinion estimate from the 617k-respondent Pew file: vectorised vs per cell.

The engine (`compute_estimates`) sums weights per response with one `np.bincount` per actor
over all publics and years; the baseline loops over the cells of a pandas groupby and
computes each cell's weighted shares and linearised standard errors on its own. Both start
from the same respondent frame (read once; reading time printed apart). Prints both times,
the ratio and the largest difference between the two results (a check that they agree).

    SHARPPOWER_MIRROR=../shared/data .venv/bin/python benchmarks/opinion.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sharppower.measures.opinion.estimate import compute_estimates
from sharppower.measures.opinion.schema import MEASURES, STATE_ACTORS, Z95
from sharppower.sources.connectors.pew import ROW_LABEL, read_rds

GOAL_SECONDS = 10.0


def per_cell(resp: pd.DataFrame, actors: list[str]) -> pd.DataFrame:
    """The straightforward way: one pandas computation per actor x year x public cell."""
    rows = []
    for actor in actors:
        col = f"opi_{actor}"
        asked = resp[resp[col] >= 0]
        for (year, public), cell in asked.groupby(["year", "public"]):
            w = cell["weight"]
            n, total = len(cell), w.sum()
            row = {"actor": actor, "year": year, "public": public, "n": n}
            for measure, coef in MEASURES.items():
                y = cell[col].map(dict(enumerate(coef))).astype(float)
                p = (w * y).sum() / total
                se = np.sqrt(n / (n - 1) * ((w * (y - p)) ** 2).sum()) / total if n > 1 else np.nan
                row[measure], row[f"{measure}_se"] = 100 * p, 100 * se
                row[f"{measure}_ci_low"] = 100 * p - Z95 * 100 * se
            rows.append(row)
    return pd.DataFrame(rows)


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def main() -> int:
    mirror = os.environ.get("SHARPPOWER_MIRROR")
    if not mirror:
        print("set SHARPPOWER_MIRROR to the mirror folder")
        return 2
    path = Path(mirror) / "pew_global_attitudes" / "pew_all_opi.RDS"
    resp, t_read = timed(read_rds, path)
    actors = [a for a in STATE_ACTORS if f"opi_{a}" in resp.columns]
    fast, t_fast = timed(compute_estimates, resp, path.name, ROW_LABEL, actors)
    slow, t_slow = timed(per_cell, resp, actors)
    keys = ["actor", "year", "public"]
    both = fast.merge(slow, on=keys, suffixes=("", "_loop"))
    diff = max(float((both[m] - both[f"{m}_loop"]).abs().max()) for m in MEASURES)
    diff_se = max(float((both[f"{m}_se"] - both[f"{m}_se_loop"]).abs().max()) for m in MEASURES)
    print(f"respondents: {len(resp):,}; cells (actor x public x year): {len(fast):,}; "
          f"actors: {', '.join(actors)}")
    print(f"read and validate the RDS:             {t_read:8.3f} s (not counted below)")
    print(f"all estimates, vectorised (bincount):  {t_fast:8.3f} s")
    print(f"all estimates, per-cell groupby loop:  {t_slow:8.3f} s")
    print(f"ratio loop / vectorised:               {t_slow / t_fast:8.1f} x")
    print(f"largest difference: estimates {diff:.2e} points, se {diff_se:.2e} points "
          f"({len(both):,} cells compared)")
    print(f"goal (all estimates < {GOAL_SECONDS:.0f} s): {'met' if t_fast < GOAL_SECONDS else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
