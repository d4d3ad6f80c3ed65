"""Shared access for the analysis functions: one *measure* as a tidy frame per target x year.

A measure is named by a string:

- a codebook indicator code (``att_favorable``, ``reach_devfin``, ``res_fh_total`` ...): read
  from ``observations``; actor-specific indicators are read for the given actor, target-only
  indicators (``actor_specific: false``, such as resilience covariates) with ``actor IS NULL``;
- ``index:<level>:<name>`` (``index:index:influence``, ``index:pillar:sharp_power``,
  ``index:domain:media_information``): a score of the index engine (``sharppower.index``),
  see :func:`sharppower.analysis.indexscores.index_measure`.

Every measure frame has the columns of :data:`MEASURE_COLUMNS`:
target, year, value, se, ci_low, ci_high (95% interval), n, rank, rank_low, rank_high
(rank 1 = highest score; rank interval from the index engine), flags (list of data-quality
flags), source. Missing inputs are never filled with 0: they stay NaN and the analysis rows
say why in a ``missing`` column (:func:`missing_reasons`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa

from sharppower.analysis.frames import (  # noqa: F401 - the measure frame's helpers, shared
    MEASURE_COLUMNS,
    NUMERIC,
    Z95,
    complete_intervals,
    empty_measure,
    tidy,
    year_list,
)
from sharppower.analysis.indexscores import index_measure
from sharppower.codebook import packaged_codebook
from sharppower.store import Database
from sharppower.store.tables import observations

# Flags that make an observation unusable by default (the opinion engine marks the defective
# Pew wave `suspect`; the index leaves flagged series out, so do we).
EXCLUDED_FLAGS = ("suspect",)
# Starter facts are replaced by real loads; when both exist, prefer any other source.
_STARTER = "starter"


def _flags(text: object) -> list[str]:
    if text is None or (isinstance(text, float) and np.isnan(text)) or text == "":
        return []
    try:
        value = json.loads(str(text))
    except ValueError:
        return [str(text)]
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


codebook = packaged_codebook  # the one cached codebook


def actor_specific(indicator: str) -> bool:
    """True when the codebook says the indicator belongs to an actor x target pair."""
    book = codebook()
    if not book.has_indicator(indicator):
        raise KeyError(f"unknown indicator {indicator!r}: not in the codebook")
    return bool(book.indicator(indicator)["actor_specific"])


def read_observations(db: Database, indicator: str, actor: str | None,
                      years: int | Iterable[int] | None = None,
                      exclude_flags: Sequence[str] = EXCLUDED_FLAGS) -> pd.DataFrame:
    """Observations of one indicator as a measure frame (one row per target x year).

    `actor` is ignored for target-only indicators (read with ``actor IS NULL``). When several
    sources hold the same cell, starter facts give way to real sources. Rows carrying a flag in
    `exclude_flags` keep their flags but get value NaN (the caller reports them as missing).
    """
    o = observations.c
    stmt = sa.select(o.target, o.year, o.value, o.se, o.ci_low, o.ci_high, o.n, o.flags, o.source,
                     o.id).where(o.indicator == indicator)
    if actor_specific(indicator):
        stmt = stmt.where(o.actor == actor)
    else:
        stmt = stmt.where(o.actor.is_(None))
    wanted = year_list(years)
    if wanted is not None:
        stmt = stmt.where(o.year.in_(wanted))
    rows = db.read(stmt)
    if rows.empty:
        return empty_measure()
    rows["starter"] = rows["source"] == _STARTER
    rows = rows.sort_values(["target", "year", "starter", "id"]).drop_duplicates(["target", "year"])
    rows["flags"] = [_flags(f) for f in rows["flags"]]
    for col in ("value", "se", "ci_low", "ci_high", "n"):
        rows[col] = pd.to_numeric(rows[col], errors="coerce").astype(float)
    bad = [any(f in exclude_flags for f in fl) for fl in rows["flags"]]
    rows.loc[bad, ["value", "se", "ci_low", "ci_high"]] = np.nan
    for col in ("rank", "rank_low", "rank_high"):
        rows[col] = np.nan
    return tidy(rows)


def measure(db: Database, actor: str, name: str, years: int | Iterable[int] | None = None) -> pd.DataFrame:
    """Resolve a measure name (indicator code or ``index:<level>:<name>``) to a measure frame."""
    if name.startswith("index:"):
        return index_measure(db, actor, name, years)
    return read_observations(db, name, actor, years)


def missing_reason(frame: pd.DataFrame, label: str, year_col: str = "year") -> pd.Series:
    """Per row: why the `label` input is missing (None when present).

    Expects `value` and `flags` columns as merged from a measure frame (NaN value when the
    row had no observation, or the observation was flagged).
    """
    reasons = []
    for value, flags, year in zip(frame["value"], frame["flags"], frame[year_col]):
        if pd.notna(value):
            reasons.append(None)
        elif isinstance(flags, list) and any(f in EXCLUDED_FLAGS for f in flags):
            reasons.append(f"{label} in {year} flagged {','.join(flags)}")
        else:
            reasons.append(f"no {label} for {year}")
    return pd.Series(reasons, index=frame.index, dtype=object)


def join_reasons(*parts: pd.Series) -> pd.Series:
    """Row-wise '; '-joined non-empty reasons (None when nothing is missing)."""
    frame = pd.concat(parts, axis=1)
    return pd.Series(
        [("; ".join(str(x) for x in row if isinstance(x, str) and x) or None) for row in
         frame.itertuples(index=False)], index=frame.index, dtype=object)


def prefixed(frame: pd.DataFrame, prefix: str, keep: Sequence[str] = ("target", "year")) -> pd.DataFrame:
    """Rename every column but `keep` to `<prefix>_<column>` (value -> `<prefix>`)."""
    names = {c: (prefix if c == "value" else f"{prefix}_{c}") for c in frame.columns if c not in keep}
    return frame.rename(columns=names)


def interval_side(low: pd.Series, high: pd.Series, threshold: pd.Series | float) -> pd.Series:
    """+1 when the whole interval lies above the threshold, -1 below, 0 when it straddles it,
    NA when the interval is unknown."""
    above = low > threshold
    below = high < threshold
    side = pd.Series(np.where(above, 1, np.where(below, -1, 0)), index=low.index, dtype="Int64")
    unknown = low.isna() | high.isna()
    if isinstance(threshold, pd.Series):
        unknown |= threshold.isna()
    side[unknown] = pd.NA
    return side
