"""Reading respondent-level survey files: the harmonised responses and the validation
shared by every reader (the Pew RDS connector and the opinion measure's SPSS import).

Each helper checks a whole column at once and raises an InputError naming the file, the
first bad row (1-based: row 1 is the first respondent) and the field.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sharppower.countries import CountryResolver
from sharppower.errors import InputError

# Harmonised responses of the favourability battery, in code order 0..5 (the published
# factor labels of Pew's harmonised file; the opinion engine's schema uses these codes).
RESPONSES = (
    "Very favorable",
    "Somewhat favorable",
    "Somewhat unfavorable",
    "Very unfavorable",
    "DK",
    "Refused",
)


def _bad_row(mask: np.ndarray) -> int:
    """1-based data row of the first True (row 1 is the first respondent)."""
    return int(np.flatnonzero(mask)[0]) + 1


def years(values: pd.Series, name: str, field: str) -> np.ndarray:
    out = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(out) | (out < 1900) | (out > 2100) | (out != np.round(out))
    if bad.any():
        row = _bad_row(bad)
        raise InputError(name, f"not a survey year: {values.iloc[row - 1]!r}", row=row, field=field)
    return out.astype(np.int16)


def weights(values: pd.Series, name: str, field: str) -> np.ndarray:
    w = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        row = _bad_row(bad)
        raise InputError(name, f"weight must be a positive number, not {values.iloc[row - 1]!r}",
                         row=row, field=field)
    return w


def resolve_publics(codes: pd.Series, name: str, res: CountryResolver, field: str) -> np.ndarray:
    """ISO3 of each public (resolving each distinct code once); unknown codes are an error."""
    lookup = {c: res.resolve(c) for c in pd.unique(codes)}
    unknown = [c for c, iso3 in lookup.items() if iso3 is None]
    if unknown:
        row = _bad_row(codes.isin(unknown).to_numpy())
        raise InputError(name, f"unknown public {codes.iloc[row - 1]!r} (add it to "
                         "sharppower/country_aliases.yaml)", row=row, field=field)
    return codes.map(lookup).astype(str).to_numpy()


def response_codes(values: pd.Series, name: str, field: str) -> np.ndarray:
    """Factor labels -> response codes 0..5 (-1 = not asked); other labels are an error."""
    labels = values.astype("category")
    known = {label: i for i, label in enumerate(RESPONSES)}
    table = np.array([known.get(str(c), -2) for c in labels.cat.categories] + [-1], dtype=np.int8)
    codes = table[labels.cat.codes.to_numpy()]  # cat code -1 (NA) picks the final -1
    if (codes == -2).any():
        row = _bad_row(codes == -2)
        raise InputError(name, f"response {values.iloc[row - 1]!r} is not one of "
                         f"{', '.join(RESPONSES)}", row=row, field=field)
    return codes
