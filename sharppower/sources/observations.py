"""A parsed source frame -> observation rows: the codebook decides which published variables
become which indicators; values are validated (validate.py) before anything is stored."""

from __future__ import annotations

import json

import pandas as pd

from sharppower.codebook import Codebook
from sharppower.errors import InputError
from sharppower.sources.validate import check_observations

OBS_COLUMNS = [
    "actor", "target", "year", "indicator", "value", "unit", "se", "ci_low", "ci_high", "n",
    "source", "source_file", "source_row", "evidence_ids", "flags", "note",
]


# Per-row columns a parsed frame may carry, for every variable ("flags") or for one
# variable ("flags.total_adj_3yr"): they become the observation's provenance and quality.
ROW_COLUMNS = ("source_file", "source_row", "flags", "note", "se", "ci_low", "ci_high", "n")


def _row_column(part: pd.DataFrame, name: str, variable: str) -> pd.Series | None:
    for col in (f"{name}.{variable}", name):
        if col in part.columns:
            return part[col]
    return None


def _flags_json(value: object) -> str | None:
    if isinstance(value, (list, tuple)):
        items = list(value)
    elif value is None or pd.isna(value) or value == "":
        return None
    else:
        items = str(value).split("; ")
    return json.dumps([str(v) for v in items if v]) if items else None


def _flags_jsons(values: pd.Series) -> pd.Series:
    """`_flags_json` of each value, worked out once per distinct flag string."""
    memo: dict[str, str | None] = {}

    def one(value: object) -> str | None:
        if not isinstance(value, str):
            return _flags_json(value)
        if value not in memo:
            memo[value] = _flags_json(value)
        return memo[value]

    return values.map(one)


def observations_from_frame(frame: pd.DataFrame, codebook: Codebook, source: str) -> pd.DataFrame:
    """Melt the variables that codebook indicators of this source name into observation rows.

    `frame` has target, year, optionally actor, one column per variable, and per-row
    columns (ROW_COLUMNS) either shared ("source_row") or for one variable
    ("source_row.total_adj_3yr"); "flags" holds a flag string ('; '-separated) or a list.
    Rows whose variable is missing (NaN) give no observation.
    """
    wanted = codebook.for_source(source)
    wanted = wanted[wanted["variable"].notna()]
    parts = []
    for ind in wanted.itertuples(index=False):
        if ind.variable not in frame.columns:
            raise InputError(source, f"codebook indicator {ind.code} needs variable {ind.variable!r}, "
                             "which the parsed source does not have", field=ind.variable)
        read = ["actor", "target", "year", ind.variable,
                *(c for name in ROW_COLUMNS for c in (f"{name}.{ind.variable}", name))]
        part = frame.loc[frame[ind.variable].notna(),
                         [c for c in dict.fromkeys(read) if c in frame.columns]]
        if ind.actors and "actor" in part.columns:
            part = part[part["actor"].isin(ind.actors)]
        obs = pd.DataFrame({
            "actor": part["actor"] if "actor" in part.columns else None,
            "target": part["target"],
            "year": part["year"].astype(int),
            "indicator": ind.code,
            "value": part[ind.variable].astype(float),
            "unit": ind.unit,
            "source": source,
        })
        for name in ROW_COLUMNS:
            values = _row_column(part, name, ind.variable)
            if values is not None:
                obs[name] = _flags_jsons(values) if name == "flags" else values
        parts.append(obs)
    if not parts:
        return pd.DataFrame(columns=OBS_COLUMNS)
    out = pd.concat(parts, ignore_index=True).reindex(columns=OBS_COLUMNS)
    check_observations(out, codebook, source)  # finite, in range, plausible years
    return out
