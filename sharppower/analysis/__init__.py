"""Analysis functions used by every page: each returns a pandas DataFrame with documented columns.

- :func:`quadrants`, :func:`movement` (disconnect.py): attraction versus influence per
  actor x target x year, with the uncertainty of both axes, and moves between two years.
- :func:`perceived_influence`, :func:`perceived_medians` (perceived.py): Pew's "influence
  getting stronger" topline against favourability.
- :func:`return_on_reach`, :func:`reach_slope`, :func:`reach_slopes` (returns.py).
- :func:`vulnerability`, :func:`vulnerability_ranking`, :func:`vulnerability_years`
  (vulnerability.py): the actor's pressure against the target's resilience.
- :func:`covariate_correlations` (covariates.py): correlations with Freedom House, V-Dem,
  WGI, with n and Fisher-z intervals.

Missing inputs are never zero: rows stay, values are NaN and a `missing` column says why.
"""

from sharppower.analysis.covariates import covariate_correlations
from sharppower.analysis.disconnect import movement, quadrants
from sharppower.analysis.perceived import perceived_influence, perceived_medians
from sharppower.analysis.returns import reach_slope, reach_slopes, return_on_reach
from sharppower.analysis.vulnerability import (
    vulnerability,
    vulnerability_ranking,
    vulnerability_years,
)

__all__ = [
    "covariate_correlations", "movement", "perceived_influence", "perceived_medians", "quadrants",
    "reach_slope", "reach_slopes", "return_on_reach", "vulnerability",
    "vulnerability_ranking", "vulnerability_years",
]
