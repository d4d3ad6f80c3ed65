"""Value validation from the codebook: every observation a source yields must be finite,
inside its indicator's declared range (`valid: [min, max]` in codebook/v1.yaml) and dated
in the codebook's plausible years (`years: [first, last]`). The first offender raises an
InputError naming file, row, field and the allowed range, before anything is stored.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sharppower.codebook import Codebook
from sharppower.errors import InputError


def _where(obs: pd.DataFrame, i: int, source: str) -> tuple[str, str | None]:
    """(file, row) of observation i: its source_file and source_row when the parser kept them."""
    file = obs["source_file"].iloc[i] if "source_file" in obs.columns else None
    row = obs["source_row"].iloc[i] if "source_row" in obs.columns else None
    file = source if file is None or (isinstance(file, float) and math.isnan(file)) else str(file)
    row = None if row is None or (isinstance(row, float) and math.isnan(row)) else str(row)
    return file, row


def _first(mask: pd.Series) -> int | None:
    hits = np.flatnonzero(mask.to_numpy())
    return int(hits[0]) if len(hits) else None


def check_observations(obs: pd.DataFrame, codebook: Codebook, source: str,
                       fields: dict[str, str] | None = None) -> None:
    """Raise InputError for the first value that is not finite or outside its indicator's
    range, or whose year is implausible. `fields` maps an indicator code to the field name
    in the published file (default: the codebook's `variable`, else the code)."""
    if obs.empty:
        return
    ind = codebook.indicators.set_index("code")
    fields = fields or {}
    values = pd.to_numeric(obs["value"], errors="coerce").astype(float)
    years = pd.to_numeric(obs["year"], errors="coerce").astype(float)
    lo = obs["indicator"].map(ind["valid_min"]).astype(float)
    hi = obs["indicator"].map(ind["valid_max"]).astype(float)
    first, last = codebook.years

    def field(i: int) -> str:
        code = obs["indicator"].iloc[i]
        variable = ind["variable"].get(code) if code in ind.index else None
        return fields.get(code) or (variable if isinstance(variable, str) else code)

    checks = [
        (~np.isfinite(values) & obs["value"].notna(), field,
         lambda i: f"{values.iloc[i]!r} is not a finite number"),
        ((values < lo) | (values > hi), field,
         lambda i: (f"{values.iloc[i]:g} is outside the range of {obs['indicator'].iloc[i]} "
                    f"in the codebook ({lo.iloc[i]:g} to {hi.iloc[i]:g})")),
        (years.isna() | (years < first) | (years > last), lambda i: "year",
         lambda i: (f"year {obs['year'].iloc[i]} is not plausible (the codebook allows "
                    f"{first} to {last})")),
    ]
    for mask, name, message in checks:
        i = _first(mask.fillna(False))
        if i is not None:
            file, row = _where(obs, i, source)
            raise InputError(file, message(i), row=row, field=name(i))

