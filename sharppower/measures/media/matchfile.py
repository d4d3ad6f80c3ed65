"""Match files: JSON Lines, one match per line (matcher.MATCH_COLUMNS), written atomically."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from sharppower.errors import InputError
from sharppower.measures.media.corpus import iter_lines
from sharppower.measures.media.matcher import MATCH_COLUMNS

REQUIRED = ("local_id", "wire_id", "containment", "jaccard", "attribution")


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
    for number, line in iter_lines(path):
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(str(path), f"not valid JSON: {exc.msg}", row=f"line {number}") from None
        missing = [f for f in REQUIRED if rec.get(f) is None] if isinstance(rec, dict) else ["(object)"]
        if missing:
            raise InputError(str(path), "missing value", row=f"line {number}", field=missing[0])
        rows.append(rec)
    return pd.DataFrame(rows).reindex(columns=MATCH_COLUMNS)
