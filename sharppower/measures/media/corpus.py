"""Read a corpus: JSON Lines, one article per line, gzip accepted (detected by content).

Fields: id, outlet, country (ISO3 or a name the resolver knows), date (ISO date), url,
title, text, optional lang. A malformed line raises InputError naming the file, the line
number and the field; with on_error="skip" it is left out and reported instead. The
result is a DataFrame with those columns plus `line` (1-based line number), `date` as
an ISO string and `day` (days since 1970-01-01, int) for the date window.

A line is parsed by a fast path (orjson, type checks in line, dates and countries
resolved once per distinct value); a line it does not accept goes through the full
checks of `_parse_strict`, which either accepts it or names what is wrong, so both paths
give the same article and the same error.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

import numpy as np
import orjson
import pandas as pd

from sharppower.countries import resolver
from sharppower.errors import InputError

COLUMNS = ["id", "outlet", "country", "date", "url", "title", "text", "lang", "line", "day"]
REQUIRED = ("id", "outlet", "date", "text")
ON_ERROR = ("fail", "skip")
EPOCH = date(1970, 1, 1)


def is_gzip(path: str | Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def open_text(path: str | Path):
    """Open a text file, gunzipping when it starts with the gzip magic bytes."""
    if is_gzip(path):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def iter_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """(line number, line) for every non-blank line."""
    try:
        with open_text(path) as f:
            for number, line in enumerate(f, start=1):
                if not line.isspace():  # (a line read from a file is never "")
                    yield number, line
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read the file: {exc}") from exc


def _breaks(data: bytes) -> int:
    """Line ends in `data` as a text file counts them ("\\n", "\\r\\n" or a lone "\\r")."""
    lf = data.count(b"\n")
    return lf + data.count(b"\r") - data.count(b"\r\n") if b"\r" in data else lf


def line_pieces(path: str | Path, size: int) -> Iterator[tuple[int, int, int]]:
    """A plain (not gzip) file cut at line ends into pieces of about `size` bytes:
    (first byte, end byte, number of the piece's first line) each, in file order, each
    as soon as it is found (a worker starts on the first piece while the rest of the file
    is cut: the whole of 21 MB takes 20-30 ms to read and count)."""
    start, line = 0, 1
    with open(path, "rb") as f:
        while block := f.read(size):
            if not block.endswith(b"\n"):
                block += f.readline()
            yield start, start + len(block), line
            start, line = start + len(block), line + _breaks(block)


def piece_lines(path: str | Path, piece: tuple[int, int, int]) -> Iterator[tuple[int, str]]:
    """(line number, line) for every non-blank line of a piece (as iter_lines numbers them)."""
    start, end, first = piece
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"cannot read the file: {exc}") from exc
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines, start=first):
        if line and not line.isspace():
            yield number, line


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


def _parse_strict(text: str, file: str, line: int, country_required: bool = True) -> dict:
    """One article from one JSON line, every field checked (raises InputError)."""
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


_DAYS: dict[str, tuple[str, int]] = {}
_COUNTRIES: dict[str, str] = {}


def _fast(text: str, line: int, country_required: bool) -> tuple | None:
    """The article as a tuple in COLUMNS order, or None when the line needs the full checks."""
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if type(obj) is not dict:
        return None
    get = obj.get
    ident, outlet, body, raw_date = get("id"), get("outlet"), get("text"), get("date")
    if not (type(ident) is str and type(outlet) is str and type(body) is str
            and type(raw_date) is str and ident and outlet and body):
        return None
    url, title, lang = get("url"), get("title"), get("lang")
    if not ((url is None or type(url) is str) and (title is None or type(title) is str)
            and (lang is None or type(lang) is str)):
        return None
    url, title, lang = url or None, title or None, lang or None  # "" is no value
    day = _DAYS.get(raw_date)
    if day is None and (day := _new_day(raw_date)) is None:
        return None
    country = get("country")
    if country is None or country == "":
        if country_required:
            return None
        iso3 = None
    elif (iso3 := _COUNTRIES.get(country)) is None and (iso3 := _new_country(country)) is None:
        return None
    return ident, outlet, iso3, day[0], url, title, body, lang, line, day[1]


def _new_day(raw: str) -> tuple[str, int] | None:
    """A date value not seen yet, as `_day` reads it (remembered), or None when it is not
    one (the full checks then name the error)."""
    try:
        day = date.fromisoformat(raw[:10])
    except ValueError:
        return None
    found = day.isoformat(), (day - EPOCH).days
    if len(_DAYS) < 100_000:
        _DAYS[raw] = found
    return found


def _new_country(value: object) -> str | None:
    """A country value not seen yet, as `_country` resolves it (remembered), or None."""
    if type(value) is not str or (iso3 := resolver().resolve(value)) is None:
        return None
    if len(_COUNTRIES) < 10_000:
        _COUNTRIES[value] = iso3
    return iso3


def parse_line(text: str, file: str, line: int, country_required: bool = True) -> dict:
    """One article from one JSON line (raises InputError)."""
    fast = _fast(text, line, country_required)
    if fast is not None:
        return dict(zip(COLUMNS, fast, strict=True))
    return _parse_strict(text, file, line, country_required)


def parse_lines(lines: Iterable[tuple[int, str]], file: str, on_error: str = "fail",
                country_required: bool = True) -> tuple[pd.DataFrame, list[str]]:
    """Parse (line number, text) pairs: (articles, messages of the lines skipped)."""
    if on_error not in ON_ERROR:
        raise ValueError(f"on_error must be one of {ON_ERROR}, not {on_error!r}")
    rows, skipped = [], []
    for number, text in lines:
        row = _fast(text, number, country_required)
        if row is None:
            try:
                row = tuple(parse_line(text, file, number, country_required)[c] for c in COLUMNS)
            except InputError as exc:
                if on_error == "fail":
                    raise
                skipped.append(str(exc))
                continue
        rows.append(row)
    return frame_of(rows), skipped


def frame_of(rows: list[tuple]) -> pd.DataFrame:
    """Articles (tuples in COLUMNS order) as a DataFrame: object columns (no copy of the
    texts into another string type), `line` and `day` as integers."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(COLUMNS)
    data = {c: pd.Series(np.array(v, dtype=np.int64), copy=False) if c in ("line", "day")
            else pd.Series(np.array(v, dtype=object), dtype=object, copy=False)
            for c, v in zip(COLUMNS, columns, strict=True)}
    return pd.DataFrame(data, columns=COLUMNS, copy=False)


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
