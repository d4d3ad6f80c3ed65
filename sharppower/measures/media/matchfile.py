"""Match files: JSON Lines, one match per line (matcher.MATCH_COLUMNS), written atomically.

Reading checks every line before anything is used: ids are non-empty text, containment
and Jaccard finite numbers from 0 to 1 (NaN and Infinity are refused), the
attribution one of ATTRIBUTIONS, the actor a codebook actor; a bad value is an InputError
naming the file, the line and the field."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pandas as pd

from sharppower.codebook import packaged_codebook
from sharppower.errors import InputError
from sharppower.measures.media.corpus import iter_lines
from sharppower.measures.media.matcher import MATCH_COLUMNS

REQUIRED = ("local_id", "wire_id", "containment", "jaccard", "attribution")
ATTRIBUTIONS = ("attributed", "unattributed", "reattributed")
TEXT = ("local_id", "wire_id", "credit", "local_outlet", "country", "local_date", "wire_outlet",
        "wire_date", "local_url", "wire_url")
MAX_TEXT = 2000  # characters of one text field


def write_matches(matches: pd.DataFrame, path: str | Path) -> int:
    """Write to a temporary file beside `path`, then rename: never a half-written file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.writelines(json.dumps({k: (None if pd.isna(v) else v) for k, v in rec.items()},
                                   ensure_ascii=False) + "\n" for rec in matches[MATCH_COLUMNS].to_dict("records"))
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return len(matches)


def read_matches(path: str | Path) -> pd.DataFrame:
    rows = []
    actors = packaged_codebook().actors
    for number, line in iter_lines(path):
        try:
            rec = json.loads(line)  # NaN and Infinity parse, and are refused by _problem
        except json.JSONDecodeError as exc:
            raise InputError(str(path), f"not valid JSON: {exc.msg}", row=f"line {number}") from None
        missing = [f for f in REQUIRED if rec.get(f) is None] if isinstance(rec, dict) else ["(object)"]
        if missing:
            raise InputError(str(path), "missing value", row=f"line {number}", field=missing[0])
        problem = _problem(rec, actors)
        if problem:
            raise InputError(str(path), problem[1], row=f"line {number}", field=problem[0])
        rows.append(rec)
    return pd.DataFrame(rows).reindex(columns=MATCH_COLUMNS)


def _problem(rec: dict, actors) -> tuple[str, str] | None:
    """(field, message) of the first bad value of one match, or None."""
    for field in ("containment", "jaccard"):
        value = rec[field]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return field, f"must be a number, not {value!r}"
        if not (math.isfinite(value) and 0 <= value <= 1):
            return field, f"must be a finite number from 0 to 1, not {value!r}"
    for field in TEXT:
        value = rec.get(field)
        if value is not None and not (isinstance(value, str) and len(value) <= MAX_TEXT):
            return field, f"must be text of at most {MAX_TEXT} characters"
    if not (rec["local_id"].strip() and rec["wire_id"].strip()):
        return "local_id" if not rec["local_id"].strip() else "wire_id", "must not be empty"
    if rec["attribution"] not in ATTRIBUTIONS:
        return "attribution", f"must be one of {', '.join(ATTRIBUTIONS)}, not {rec['attribution']!r}"
    actor = rec.get("actor")
    if actor is not None and actor not in actors:
        return "actor", f"unknown actor {actor!r}: one of {', '.join(actors)}"
    return None
