"""Write estimates, quality findings and their `observations` in one transaction.

`save_estimates(conn, new, origin)` replaces the estimates of one origin (a file), marks for
each cell which origin is current (a Pew SPSS wave a user imported wins over the harmonised
file; among imports the latest wins), reruns every quality check on the current cells,
stores the flags and findings, and rewrites the observations of the source
`pew-global-attitudes` from the current cross-national cells (self-ratings are not written:
they are no measure of attraction abroad).
"""

from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sharppower.codebook import Codebook
from sharppower.measures.opinion.quality import FINDING_COLUMNS, cell_key, flag_lists, run_checks
from sharppower.measures.opinion.schema import (
    ESTIMATE_COLUMNS,
    INDICATORS,
    STATE_ACTORS,
    value_columns,
)
from sharppower.measures.opinion.tables import opinion_estimates, opinion_quality
from sharppower.sources.load import OBS_COLUMNS, replace_observations
from sharppower.store.database import frame_records, insert_rows

SOURCE_NAME = "pew-global-attitudes"
HARMONISED_ORIGINS = ("pew_all_opi.RDS",)
SUPERSEDED = "superseded"
MEASURE_VALUE_COLUMNS = set(value_columns())


def parse_flags(text: object) -> list[str]:
    if text is None or (isinstance(text, float) and pd.isna(text)) or text == "":
        return []
    value = json.loads(str(text))
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def read_estimates(conn: Connection) -> pd.DataFrame:
    """Every stored estimate (all origins), flags as lists, in insertion order."""
    result = conn.execute(sa.select(opinion_estimates).order_by(opinion_estimates.c.id))
    frame = pd.DataFrame(result.mappings().all(), columns=list(result.keys()))
    frame["flags"] = frame["flags"].map(parse_flags) if len(frame) else frame["flags"]
    return frame


def typed(est: pd.DataFrame) -> pd.DataFrame:
    """Column types of an estimate frame whatever it came from (store rows, new frames)."""
    out = est.copy()
    numeric = [c for c in ESTIMATE_COLUMNS if c in MEASURE_VALUE_COLUMNS or c in ("weight_sum", "deff")]
    out[numeric] = out[numeric].astype(float)
    out[["year", "n"]] = out[["year", "n"]].astype(int)
    out["self_rating"] = out["self_rating"].astype(bool)
    for col in ("actor", "public", "origin", "public_code", "source_row", "method_version"):
        out[col] = out[col].astype(object)
    return out


def mark_current(est: pd.DataFrame) -> pd.Series:
    """True for the row of each cell that counts (imports over the harmonised file)."""
    priority = (~est["origin"].isin(HARMONISED_ORIGINS)).astype(int)
    order = priority.reset_index(drop=True).sort_values(kind="stable").index
    ranked = est.reset_index(drop=True).loc[order]
    last = ~ranked.duplicated(["actor", "public", "year"], keep="last")
    return last.sort_index().set_axis(est.index)


def save_estimates(conn: Connection, new: pd.DataFrame, origin: str,
                   codebook: Codebook) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace `origin`'s estimates; rerun the checks; rewrite flags, findings, observations.

    Returns (findings, observations written)."""
    old = read_estimates(conn)
    keep = old[old["origin"] != origin].reindex(columns=ESTIMATE_COLUMNS)
    combined = typed(pd.concat([keep, new.reindex(columns=ESTIMATE_COLUMNS)], ignore_index=True))
    combined["current"] = mark_current(combined)
    current = combined[combined["current"]]
    findings = run_checks(current)
    flags = pd.Series([[SUPERSEDED]] * len(combined), index=combined.index, dtype=object)
    flags[current.index] = pd.Series(flag_lists(current, findings), index=current.index)
    combined["flags"] = flags.map(json.dumps)
    conn.execute(sa.delete(opinion_estimates))
    insert_rows(conn, opinion_estimates, frame_records(combined))
    conn.execute(sa.delete(opinion_quality))
    insert_rows(conn, opinion_quality, frame_records(
        findings.rename(columns={"check": "check_name"})))
    obs = observation_rows(combined[combined["current"]].assign(flags=flags), findings, codebook)
    replace_observations(conn, SOURCE_NAME, obs)
    return findings, obs


def _notes(cells: pd.DataFrame, findings: pd.DataFrame) -> list[str | None]:
    by_cell: dict[tuple, list[str]] = {}
    for f in findings.itertuples(index=False):
        by_cell.setdefault(cell_key(f.actor, f.public, f.year), []).append(f.detail)
    return ["; ".join(by_cell.get((a, p, int(y)), []) + by_cell.get((a, None, int(y)), [])) or None
            for a, p, y in zip(cells["actor"], cells["public"], cells["year"])]


def observation_rows(current: pd.DataFrame, findings: pd.DataFrame,
                     codebook: Codebook) -> pd.DataFrame:
    """Observation rows (OBS_COLUMNS) of the indicators in schema.INDICATORS."""
    cells = current[~current["self_rating"].astype(bool) & current["actor"].isin(STATE_ACTORS)]
    notes = _notes(cells, findings)
    flags = [json.dumps(f) if f else None for f in cells["flags"]]
    parts = []
    for measure, code in INDICATORS.items():
        if not codebook.has_indicator(code):
            continue
        parts.append(pd.DataFrame({
            "actor": cells["actor"], "target": cells["public"], "year": cells["year"].astype(int),
            "indicator": code, "value": cells[measure], "unit": codebook.indicator(code)["unit"],
            "se": cells[f"{measure}_se"], "ci_low": cells[f"{measure}_ci_low"],
            "ci_high": cells[f"{measure}_ci_high"], "n": cells["n"].astype(float),
            "source": SOURCE_NAME, "source_file": cells["origin"],
            "source_row": cells["source_row"], "flags": flags, "note": notes,
        }))
    if not parts:
        return pd.DataFrame(columns=OBS_COLUMNS)
    return pd.concat(parts, ignore_index=True).reindex(columns=OBS_COLUMNS)


__all__ = ["FINDING_COLUMNS", "observation_rows", "read_estimates", "save_estimates"]
