"""Shared readers for published files: CSV (also inside a zip) and xlsx sheets.

Every reader returns a DataFrame of strings plus a `_row` column (the row number as a
spreadsheet shows it: the header is row 1 of a CSV) and raises InputError naming the
file, the row and the field for anything malformed: a missing column, a cut-off or
ragged file, a value that is not a number. Connectors then type their columns with
`numbers` / `integers` (and `amounts` for the columns they sum: no 'nan' or 'inf' there)
and resolve countries with the resolver.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from sharppower.errors import InputError

# Spellings of "no value" in the published files (empty, R's NA, Excel's N/A, COW's -9 is
# source-specific and handled by the connector).
MISSING = {"", "NA", "N/A", "n/a", "NaN", "nan", "..", "None", "null", "#N/A"}


def _is_zip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"PK\x03\x04"


def _is_xlsx(path: Path) -> bool:
    if not _is_zip(path):
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            return "[Content_Types].xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False


def _csv_member(path: Path, file: str, member: str | None) -> bytes:
    """The bytes of the CSV inside a zip (a published archive such as V-Dem's)."""
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if n.lower().endswith(".csv")]
        if member:
            names = [n for n in names if Path(n).name == member] or names
        if not names:
            raise InputError(file, "the archive holds no CSV file")
        return zf.read(names[0])


def _text(path: Path, file: str, encoding: str, member: str | None) -> str:
    """The file's text; `encoding` may list fallbacks ('utf-8,latin-1')."""
    try:
        raw = _csv_member(path, file, member) if _is_zip(path) else path.read_bytes()
    except zipfile.BadZipFile as exc:
        raise InputError(file, f"cannot read the archive ({exc}); is it cut off?") from exc
    *first, last = encoding.split(",")
    for enc in first:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    try:
        return raw.decode(last)
    except UnicodeDecodeError as exc:
        raise InputError(file, f"cannot read the file ({exc}); is it cut off or corrupted?") from exc


FIELD_LIMIT = 131_072  # characters in one CSV field (the csv module's default)


@contextmanager
def field_limit() -> Iterator[None]:
    """Our field limit, whatever another library set process-wide (frictionless raises it)."""
    old = csv.field_size_limit(FIELD_LIMIT)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def csv_records(text: str, file: str, first_line: int = 1) -> Iterator[list[str]]:
    """The records of CSV text; a malformed line (a field over FIELD_LIMIT characters, a
    NUL byte) is an InputError naming its line."""
    reader = csv.reader(io.StringIO(text))
    while True:
        old = csv.field_size_limit(FIELD_LIMIT)  # ours while a record is read (`field_limit`)
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            message = (f"a field is longer than {FIELD_LIMIT:,} characters"
                       if "field limit" in str(exc) else f"malformed CSV: {exc}")
            raise InputError(file, message, row=reader.line_num + first_line - 1) from None
        finally:
            csv.field_size_limit(old)
        yield record


def read_csv_header(path: Path, file: str, encoding: str = "utf-8",
                    member: str | None = None) -> list[str]:
    """The column names of a CSV (or of the CSV in a zip)."""
    return next(csv_records(_text(path, file, encoding, member), file), [])


def read_csv(path: Path, file: str, required: Iterable[str] = (),
             usecols: Iterable[str] | None = None, encoding: str = "utf-8",
             member: str | None = None) -> pd.DataFrame:
    """Read a CSV (or the CSV in a zip) as strings; check columns and row shape.

    `usecols` (optional) reads only those columns (plus `required`), for wide files.
    Rows with fewer fields than the header (a file cut off mid-row) are an error.
    """
    required = list(required)
    if _is_xlsx(path):  # a workbook published where a CSV is expected: read its first sheet
        df = read_sheet(path, file, None, 1, required)
        return df if usecols is None else df[[c for c in df.columns
                                             if c in {*usecols, *required, "_row"}]]
    text = _text(path, file, encoding, member)
    header = next(csv_records(text, file), [])
    _require(header, required, file)
    cols = None if usecols is None else [c for c in header if c in set(usecols) | set(required)]
    _check_complete(text, header, file)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, usecols=cols,
                         na_values=[], on_bad_lines="error")
    except pd.errors.ParserError as exc:
        raise InputError(file, f"malformed CSV: {exc}", row=_parser_row(str(exc))) from exc
    df["_row"] = np.arange(2, len(df) + 2)
    return df


def _parser_row(message: str) -> int | None:
    """The file line pandas' tokenizer names in its error, if any ('... in line 12, saw 3')."""
    m = re.search(r"line (\d+)", message) or re.search(r"row (\d+)", message)
    return int(m.group(1)) if m else None


def _require(header: Sequence[str], required: Iterable[str], file: str, row: int | str = 1) -> None:
    for col in required:
        if col not in header:
            raise InputError(file, f"missing column (found: {', '.join(map(str, header))[:300]})",
                             row=row, field=col)


def _check_complete(text: str, header: Sequence[str], file: str) -> None:
    """Every record has as many fields as the header; a shorter one (a file cut off
    mid-row, a ragged line) names its row and the first missing field."""
    for i, record in enumerate(csv_records(text, file)):
        if len(record) != len(header) and record:
            if len(record) > len(header):
                raise InputError(file, f"the row has {len(record)} fields, the header "
                                 f"{len(header)}", row=i + 1)
            raise InputError(file, "the row has fewer fields than the header (is the file cut "
                             "off?)", row=i + 1, field=header[len(record)])


def read_sheet(path: Path, file: str, sheet: str | None, header_row: int,
               required: Iterable[str] = ()) -> pd.DataFrame:
    """Read one sheet (None: the first) of an xlsx workbook as strings; `header_row` is 1-based.

    The `_row` column holds the spreadsheet row of each record.
    """
    from python_calamine import CalamineError

    try:
        with pd.ExcelFile(path, engine="calamine") as book:
            sheet = sheet or book.sheet_names[0]
            if sheet not in book.sheet_names:
                raise InputError(file, f"no sheet {sheet!r} (sheets: {', '.join(book.sheet_names)})")
            df = pd.read_excel(book, sheet_name=sheet, header=header_row - 1, dtype=object)
    except (CalamineError, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(file, f"cannot read the workbook ({exc}); is it cut off or corrupted?") from exc
    df.columns = [str(c).strip() for c in df.columns]
    _require(list(df.columns), required, f"{file}!{sheet}", row=header_row)
    df["_row"] = np.arange(header_row + 1, header_row + 1 + len(df))
    df = df[df.drop(columns="_row").notna().any(axis=1)]  # trailing blank rows
    for col in df.columns:
        if col != "_row":
            df[col] = df[col].map(lambda v: "" if pd.isna(v) else str(v).strip())
    return df.reset_index(drop=True)


def numbers(df: pd.DataFrame, columns: Iterable[str], file: str,
            missing: Iterable[str] = ()) -> pd.DataFrame:
    """Type columns as float; MISSING spellings (and `missing`) become NaN.

    Anything else that is not a finite number raises InputError naming file, row and field.
    A column the connector sums takes `amounts` instead (no 'nan' spelling of missing).
    """
    return _typed(df, columns, file, MISSING | set(missing), "")


def amounts(df: pd.DataFrame, columns: Iterable[str], file: str,
            missing: Iterable[str] = ("",)) -> pd.DataFrame:
    """Type columns a connector sums as float. Only the source's own spellings of "no
    value" (`missing`: an empty cell unless the connector says otherwise, COW's -9) are
    missing; 'nan', 'NaN', 'inf' or anything else that is not a finite number is an
    InputError naming file, row and field: a NaN would drop out of the sum (pandas skips
    it) and change the total without a word."""
    return _typed(df, columns, file, set(missing),
                  " (a value that is summed: an empty cell means no value)")


def _typed(df: pd.DataFrame, columns: Iterable[str], file: str, na: set[str],
           hint: str) -> pd.DataFrame:
    out = df.copy()
    for col in columns:
        text = out[col].astype(str).str.strip()
        blank = text.isin(na) | out[col].isna()
        values = pd.to_numeric(text.where(~blank, None), errors="coerce")
        bad = (values.isna() | ~np.isfinite(values.astype(float))) & ~blank
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            kind = "a finite number" if pd.notna(values.iloc[i]) or hint else "a number"
            raise InputError(file, f"not {kind}: {text.iloc[i]!r}{hint}",
                             row=int(out["_row"].iloc[i]), field=col)
        out[col] = values.astype(float)
    return out


def integers(df: pd.DataFrame, columns: Iterable[str], file: str) -> pd.DataFrame:
    """Type columns as whole numbers (years, codes); missing or fractional values are errors."""
    out = numbers(df, columns, file)
    for col in columns:
        values = out[col]
        bad = values.isna() | (values != values.round())
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(file, f"not a whole number: {df[col].iloc[i]!r}",
                             row=int(out["_row"].iloc[i]), field=col)
        out[col] = values.astype(int)
    return out


def check_unique(df: pd.DataFrame, keys: list[str], file: str) -> None:
    """Each key combination once; a duplicate names both rows."""
    dup = df.duplicated(keys, keep=False)
    if dup.any():
        rows = df.loc[dup].sort_values(keys).head(2)
        what = ", ".join(f"{k}={rows[k].iloc[0]}" for k in keys)
        raise InputError(file, f"duplicate {what} (also row {rows['_row'].iloc[1]})",
                         row=int(rows["_row"].iloc[0]), field=keys[0])


def row_refs(df: pd.DataFrame, prefix: str = "") -> list[str]:
    """source_row values: the spreadsheet row of each record, e.g. 'FIW13-24!row 17' or '17'."""
    return [f"{prefix}{r}" for r in df["_row"]]


def row_ranges(rows: Iterable[int]) -> str:
    """'2-5, 9, 12-14' for rows 2, 3, 4, 5, 9, 12, 13, 14."""
    out: list[str] = []
    for r in sorted({int(r) for r in rows}):
        if out and r == int(out[-1].split("-")[-1]) + 1:
            out[-1] = f"{out[-1].split('-')[0]}-{r}"
        else:
            out.append(str(r))
    return ", ".join(out)


def shorten(text: str, limit: int = 300) -> str:
    """Fit a provenance reference into a column of `limit` characters."""
    return text if len(text) <= limit else text[: limit - 5] + " ..."


EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_US_DATE = re.compile(r"^\d{1,2}/\d{1,2}/(\d{2}|\d{4})$")
_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")


def _year_of(text: str) -> tuple[int | None, str | None]:
    """Year of a free-text date and a note when it needed repair (Excel serial)."""
    if m := _ISO_DATE.match(text):
        year = int(m.group(1))
        if 1900 <= year < 1910:  # a year typed into a date cell: Excel shows serial 2013 as 1905
            serial = (pd.Timestamp(text[:10]) - EXCEL_EPOCH).days
            if 1990 <= serial <= 2100:
                return serial, f"{text!r} read as the year {serial} (Excel date serial)"
        return year, None
    if m := _US_DATE.match(text):
        y = m.group(1)
        return (int(y) if len(y) == 4 else 2000 + int(y) if int(y) < 50 else 1900 + int(y)), None
    m = _YEAR.search(text)
    return (int(m.group(1)), None) if m else (None, None)


def text_years(values: Iterable[object], rows: Iterable[int], file: str, field: str,
               required: bool = False, plausible: tuple[int, int] = (1800, 2100),
               ) -> tuple[pd.Series, list[str]]:
    """The year of each free-text date ('9/1/2008', 'May 2013', 'Announced Oct. 2019, will
    close Feb. 2020' -> the first year named). Blank -> NaN (an error when `required`);
    text without a year -> InputError; a year outside `plausible` -> NaN and a warning."""
    years: list[float] = []
    warnings: list[str] = []
    for value, row in zip(values, rows):
        text = "" if value is None or pd.isna(value) else str(value).strip()
        if text in MISSING:
            if required:
                raise InputError(file, "a date is required", row=int(row), field=field)
            years.append(float("nan"))
            continue
        year, note = _year_of(text)
        if year is None:
            raise InputError(file, f"no year in {text!r}", row=int(row), field=field)
        if note:
            warnings.append(f"{file}, row {row}, field '{field}': {note}")
        if not plausible[0] <= year <= plausible[1]:
            warnings.append(f"{file}, row {row}, field '{field}': implausible year {year} "
                            "treated as unknown")
            year = None
        years.append(float("nan") if year is None else float(year))
    return pd.Series(years, dtype=float), warnings


def finish(frame: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    """Attach the warnings the loader reports (frame.attrs['warnings'])."""
    frame = frame.reset_index(drop=True)
    frame.attrs["warnings"] = list(warnings)
    return frame
