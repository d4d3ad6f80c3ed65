"""Read a corpus: JSON Lines, one article per line, gzip accepted (detected by content).

Fields: id, outlet, country (ISO3 or a name the resolver knows), date (ISO date), url,
title, text, optional lang. A malformed line raises InputError naming the file, the line
number and the field; with on_error="skip" it is left out and reported instead. The
result is a DataFrame with those columns plus `line` (1-based line number), `date` as
an ISO string and `day` (days since 1970-01-01, int) for the date window.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

import pandas as pd

from sharppower.countries import resolver
from sharppower.errors import InputError

COLUMNS = ["id", "outlet", "country", "date", "url", "title", "text", "lang", "line", "day"]
REQUIRED = ("id", "outlet", "date", "text")
ON_ERROR = ("fail", "skip")
EPOCH = date(1970, 1, 1)


def open_text(path: str | Path):
    """Open a text file, gunzipping when it starts with the gzip magic bytes."""
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def iter_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """(line number, line) for every non-blank line."""
    try:
        with open_text(path) as f:
            for number, line in enumerate(f, start=1):
                if line.strip():
                    yield number, line
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read the file: {exc}") from exc


def _text(value: object, file: str, line: int, field: str, required: bool) -> str | None:
    if value is None or value == "":
        if required:
            raise InputError(file, "missing value", row=f"line {line}", field=field)
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and field == "id":
        return str(value)
    if not isinstance(value, str):
        raise InputError(file, f"expected a string, got {type(value).__name__}",
                         row=f"line {line}", field=field)
    return value


def _day(value: str, file: str, line: int) -> tuple[str, int]:
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        raise InputError(file, f"not an ISO date: {value!r}", row=f"line {line}",
                         field="date") from None
    return day.isoformat(), (day - EPOCH).days


def _country(value: str | None, file: str, line: int) -> str | None:
    if value is None:
        return None
    iso3 = resolver().resolve(value)
    if iso3 is None:
        raise InputError(file, f"unknown country {value!r}", row=f"line {line}", field="country")
    return iso3


def parse_line(text: str, file: str, line: int, country_required: bool = True) -> dict:
    """One article from one JSON line (raises InputError)."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(file, f"not valid JSON: {exc.msg} at column {exc.colno}",
                         row=f"line {line}") from None
    if not isinstance(obj, dict):
        raise InputError(file, "expected a JSON object", row=f"line {line}")
    rec = {f: _text(obj.get(f), file, line, f, f in REQUIRED) for f in ("id", "outlet", "text")}
    for f in ("url", "title", "lang"):
        rec[f] = _text(obj.get(f), file, line, f, False)
    raw_date = _text(obj.get("date"), file, line, "date", True)
    rec["date"], rec["day"] = _day(raw_date, file, line)
    rec["country"] = _country(_text(obj.get("country"), file, line, "country", country_required),
                              file, line)
    rec["line"] = line
    return rec


def parse_lines(lines: Iterable[tuple[int, str]], file: str, on_error: str = "fail",
                country_required: bool = True) -> tuple[pd.DataFrame, list[str]]:
    """Parse (line number, text) pairs: (articles, messages of the lines skipped)."""
    if on_error not in ON_ERROR:
        raise ValueError(f"on_error must be one of {ON_ERROR}, not {on_error!r}")
    records, skipped = [], []
    for number, text in lines:
        try:
            records.append(parse_line(text, file, number, country_required))
        except InputError as exc:
            if on_error == "fail":
                raise
            skipped.append(str(exc))
    return pd.DataFrame.from_records(records, columns=COLUMNS), skipped


def check_unique(frame: pd.DataFrame, file: str) -> None:
    """Ids must be unique within a corpus (a match names articles by id)."""
    dup = frame[frame["id"].duplicated(keep=False)]
    if not dup.empty:
        first = dup.groupby("id")["line"].apply(list).iloc[0]
        raise InputError(file, f"id {dup['id'].iloc[0]!r} appears on lines "
                         f"{', '.join(map(str, first))}", row=f"line {first[1]}", field="id")


def read_corpus(path: str | Path, on_error: str = "fail",
                country_required: bool = True) -> tuple[pd.DataFrame, list[str]]:
    """The whole corpus as a DataFrame (COLUMNS) and the messages of skipped lines."""
    frame, skipped = parse_lines(iter_lines(path), str(path), on_error, country_required)
    check_unique(frame, str(path))
    return frame, skipped
