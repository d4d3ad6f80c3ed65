"""Composite index engine (COINr-class): spec as data, named methods per stage, a
replayable run log, and vectorised Monte Carlo uncertainty and Sobol sensitivity.

Python API
----------
- `load_spec(path=None) -> Spec`: the default spec (sharppower/specs/influence.yaml) or
  a YAML file; errors name the file and field.
- `run_index(db, spec=None, overrides=None, actor=None, year=None, inputs=None) -> Run`:
  compute from the store; `overrides` change log addresses, e.g.
  `{"weight.weights.sharp_power": 2.0, "aggregate.method": "geometric"}`; with `actor`
  and `year` only that cross-section's data are read (fast: the dashboard's weight
  sliders). `run.long(level, year, actor)` gives the scores as a DataFrame with columns
  actor, target, year, level, node, score, rank, n_ranked, coverage; `run.replay(overrides)`
  re-executes the same inputs with the log changed; `run.scores` / `run.ranks` are
  DataFrames indexed by (actor, target, year) with one column per node.
- `monte_carlo(run, runs=None, seed=None)` -> rank intervals per unit and node
  (actor, target, year, node, rank_median, rank_low, rank_high, rank_p05, rank_p95);
  `sensitivity(run, n=None, seed=None)` -> first- and total-order indices
  (actor, node, level, factor, first_order, total_order, variance, n_base, evaluations).
- `scores(db, actor=None, year=None, level="index")` -> stored results: actor, target,
  year, level, node, score, rank, n_ranked, coverage, rank_median, rank_low, rank_high, rank_p05,
  rank_p95 (rank 1 = highest score in the actor x year; rank_low..rank_high the 5th-95th
  percentile Monte Carlo interval, widened to hold the nominal rank).
- `build_index(db, spec=None)`, `export_scores(db, path, fmt)`, `latest_run(db)` (log and
  summary), `screening(db)` (what was dropped and why), `indicator_summary(db)` (observed,
  imputed, winsorised, correlation with the pillar, warning), `stored_sensitivity(db)`;
  registries SCREENERS, IMPUTERS, TREATERS, NORMALISERS, WEIGHTERS,
  AGGREGATORS (`index.methods.Registry`: each method declares its arguments and its
  properties, pooled and earlier_years; `index.stages.transform` is the one dispatch of
  impute -> treat -> normalise).
- `index.nodes`: the stored run's hierarchy (`run_nodes`), nominal weights and the one
  default-year rule, per actor, of every page and command (`default_year`, the spec's
  `display.min_ranked` and `display.max_stale_share`).
- `index.components`: which components each actor's scores rest on
  (`components_by_actor`: the domains with data in a run; `domains_by_actor`: every
  domain of the hierarchy per actor, empty where the actor's sources do not reach).
"""

from sharppower.index.aggregate import AGGREGATORS
from sharppower.index.build import build_index
from sharppower.index.impute import IMPUTERS
from sharppower.index.inputs import Inputs, load_inputs
from sharppower.index.normalise import NORMALISERS
from sharppower.index.run import Run, execute, run_index
from sharppower.index.screen import SCREENERS
from sharppower.index.spec import Spec, load_spec
from sharppower.index.store import (
    export_scores,
    indicator_summary,
    latest_run,
    scores,
    screening,
    stored_sensitivity,
)
from sharppower.index.treat import TREATERS
from sharppower.index.uncertainty import monte_carlo, sensitivity
from sharppower.index.weight import WEIGHTERS

__all__ = [
    "AGGREGATORS", "IMPUTERS", "NORMALISERS", "SCREENERS", "TREATERS", "WEIGHTERS",
    "Inputs", "Run", "Spec", "build_index", "execute", "export_scores", "indicator_summary",
    "latest_run",
    "load_inputs", "load_spec", "monte_carlo", "run_index", "scores", "screening",
    "sensitivity", "stored_sensitivity",
]
