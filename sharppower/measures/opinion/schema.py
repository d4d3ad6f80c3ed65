"""What the opinion engine reads and writes: responses, actors, measures, column names.

A *respondent frame* (what the Pew connectors return, one row per respondent) has the
columns year (int), public (ISO3 after resolution), public_code (the code or label as
published), weight (float, > 0) and one int8 column `opi_<ACTOR>` per rated actor holding
the response code below (-1 = not asked).
"""

from __future__ import annotations

import numpy as np

from sharppower.sources.respondents import RESPONSES

# Version of the estimation method: part of the build fingerprint and stored per estimate.
METHOD_VERSION = "1"

# Harmonised responses of the favourability battery, in code order 0..5: RESPONSES
# (sharppower.sources.respondents, where every reader of respondent files finds them).
NOT_ASKED = -1
N_RESPONSES = len(RESPONSES)

# Rated actors that are states (EU and UN are rated too but are not states).
STATE_ACTORS = ("USA", "CHN", "RUS", "IRN", "DEU", "FRA", "JPN", "IND", "TWN", "BRA")

# Each measure is a linear combination of response indicators: its value for a respondent
# is coefficient[response]; the estimate is the weighted mean (times 100: percent or points).
MEASURES: dict[str, tuple[float, ...]] = {
    "favorable": (1, 1, 0, 0, 0, 0),
    "unfavorable": (0, 0, 1, 1, 0, 0),
    "very_favorable": (1, 0, 0, 0, 0, 0),
    "very_unfavorable": (0, 0, 0, 1, 0, 0),
    "dk": (0, 0, 0, 0, 1, 1),
    "net": (1, 1, -1, -1, 0, 0),
}
SHARES = ("favorable", "unfavorable", "very_favorable", "very_unfavorable", "dk")


def coefficient_matrix() -> np.ndarray:
    """Responses x measures matrix of MEASURES coefficients."""
    return np.array([MEASURES[m] for m in MEASURES], dtype=float).T


# Measures written to `observations` as codebook indicators.
INDICATORS = {
    "favorable": "att_favorable",
    "unfavorable": "att_unfavorable",
    "very_unfavorable": "att_very_unfavorable",
    "net": "att_net",
}

# Quality flag every check adds to the cells it finds: the index and the analyses leave
# observations whose flags contain it out by default.
SUSPECT = "suspect"
SELF_RATING = "self-rating"

Z95 = 1.959963984540054

ID_COLUMNS = ["actor", "public", "year", "origin", "public_code", "self_rating"]
SIZE_COLUMNS = ["n", "weight_sum", "deff"]


def value_columns() -> list[str]:
    """For each measure: value, se, ci_low, ci_high (e.g. favorable, favorable_se, ...)."""
    cols = []
    for m in MEASURES:
        cols += [m, f"{m}_se", f"{m}_ci_low", f"{m}_ci_high"]
    return cols


ESTIMATE_COLUMNS = ID_COLUMNS + SIZE_COLUMNS + value_columns() + [
    "source_row", "method_version", "flags"]
