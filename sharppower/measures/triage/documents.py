"""Documents in, predictions out, as JSON lines. DOCS lines: `id`, `title`, `text` (strings;
HTML is stripped), optional `date` (YYYY, YYYY-MM or YYYY-MM-DD) and `url` (http or
https). A malformed line stops the read with an InputError naming the file, line and
field; predictions are written to a temporary file and moved into place, so a failure
never leaves half a file.

Limits, checked before any parsing: a file of at most MAX_INPUT_BYTES, a line (one
document) of at most MAX_DOCUMENT_CHARS characters (a 10 MB document took 23 s and 2.2 GB
to classify); JSON nested too deeply for the parser is such a line error too."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import pandas as pd

from sharppower.errors import InputError

DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
URL = re.compile(r"^https?://[^\s/]+\.[^\s/]+\S*$")
COLUMNS = ["id", "title", "text", "date", "url", "line"]
MAX_DOCUMENT_CHARS = 200_000  # one line: a long report (~30,000 words) fits
MAX_INPUT_BYTES = 20_000_000  # one file: thousands of news articles


class LineError(InputError):
    """A bad line of a JSON-lines file: names the file, the line (1-based) and the field."""

    def __init__(self, file: str, message: str, row: int | None = None, field: str | None = None):
        super().__init__(file, message, row=row, field=field)
        where = [self.file] + ([f"line {row}"] if row is not None else []) + (
            [f"field '{field}'"] if field else [])
        self.args = (f"{', '.join(where)}: {message}",)


def _field(obj: dict, name: str, path: str, line: int, required: bool) -> str | None:
    value = obj.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise LineError(path, "is required", row=line, field=name)
        return None
    if name == "id" and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise LineError(path, f"must be a string, not {type(value).__name__}", row=line, field=name)
    return value.strip() if name != "text" else value


def _check(doc: dict, path: str, line: int) -> None:
    if doc["date"] is not None and not DATE.match(doc["date"]):
        raise LineError(path, f"not a date (YYYY, YYYY-MM or YYYY-MM-DD): {doc['date']!r}",
                         row=line, field="date")
    if doc["url"] is not None and not URL.match(doc["url"]):
        raise LineError(path, f"not an http(s) URL: {doc['url']!r}", row=line, field="url")


def parse_line(raw: str, path: str, line: int) -> dict:
    if len(raw) > MAX_DOCUMENT_CHARS:
        raise LineError(path, f"the document is {len(raw):,} characters long: at most "
                        f"{MAX_DOCUMENT_CHARS:,} characters a document (line)", row=line)
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise LineError(path, f"not valid JSON: {exc.msg} (column {exc.colno})", row=line) from None
    except RecursionError:
        raise LineError(path, "not a document: JSON nested too deeply", row=line) from None
    if not isinstance(obj, dict):
        raise LineError(path, "each line must be a JSON object", row=line)
    doc = {"id": _field(obj, "id", path, line, True), "title": _field(obj, "title", path, line, False),
           "text": _field(obj, "text", path, line, False),
           "date": _field(obj, "date", path, line, False), "url": _field(obj, "url", path, line, False),
           "line": line}
    if doc["title"] is None and doc["text"] is None:
        raise LineError(path, "a document needs a title or a text", row=line, field="text")
    _check(doc, path, line)
    return doc


def read_documents(path: str | Path) -> pd.DataFrame:
    """All documents of a JSONL file (blank lines skipped); rows keep their line number."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise LineError(str(path), f"the file is {size:,} bytes: at most {MAX_INPUT_BYTES:,} "
                            "bytes an input (split it into several files)")
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LineError(str(path), f"cannot be read: {exc}") from None
    docs, seen = [], {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        doc = parse_line(raw, str(path), number)
        if doc["id"] in seen:
            raise LineError(str(path), f"duplicate id {doc['id']!r} (first on line {seen[doc['id']]})",
                             row=number, field="id")
        seen[doc["id"]] = number
        docs.append(doc)
    frame = pd.DataFrame(docs, columns=COLUMNS, dtype=object)
    frame[["title", "text"]] = frame[["title", "text"]].fillna("")
    for name in ("date", "url"):  # missing stays None, not NaN
        frame[name] = pd.Series([v if isinstance(v, str) else None for v in frame[name]],
                                dtype=object, index=frame.index)
    return frame


def write_jsonl(path: str | Path, rows: list[dict]) -> None:
    """Write rows as JSON lines, all or nothing (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
