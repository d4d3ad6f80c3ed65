"""Options and helpers shared by the CLI modules."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from sharppower.errors import SharppowerError
from sharppower.settings import Settings
from sharppower.store import Database
from sharppower.store.failures import explain

console = Console()
err_console = Console(stderr=True)

DB_OPTION = typer.Option(
    None, "--db", help="Database URL (default: SHARPPOWER_DATABASE_URL or an SQLite file "
    "in the data folder).")
JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON.")


def settings(db_url: str | None = None) -> Settings:
    return Settings.from_env(database_url=db_url)


def open_db(db_url: str | None = None, upgrade: bool = True) -> Database:
    db = Database(settings(db_url).database_url)
    if upgrade:
        db.upgrade()
    return db


def esc(value: Any) -> str:
    """User text made safe to print inside rich markup (`[/x]` stays literal)."""
    return escape(str(value))


def print_error(message: Any) -> None:
    err_console.print(f"[bold red]error:[/] {esc(message)}", highlight=False, markup=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a SharppowerError (or an unreadable file) as a clear message on stderr, its
    text escaped (never read as markup), and exit with status 1."""
    try:
        yield
    except SharppowerError as exc:
        print_error(exc)
        raise typer.Exit(1) from None
    except (OSError, UnicodeDecodeError) as exc:
        print_error(f"{getattr(exc, 'filename', None) or 'input'}: {exc}")
        raise typer.Exit(1) from None


class StoreFailuresInOneLine(TyperGroup):
    """The root command group: a store that is read-only, on a full disk or unreachable is
    one line on stderr and exit status 1 in every command, not a traceback (the store is
    left as it was: the failed transaction rolled back)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            message = explain(exc)
            if message is None:
                raise
            print_error(message)
            raise typer.Exit(1) from None


class AuditRow:
    """The ok row of one CLI write, for the library to write in the write's own transaction
    (`audit=` of the ledger's functions): a write committed is never left unaudited."""

    def __init__(self, who: str, action: str, target: str | None):
        self.who, self.action, self.target, self.written = who, action, target, False

    def __call__(self, conn, obj: str | None = None) -> None:
        from sharppower.web import accounts

        accounts.audit_row(conn, self.who, self.action, "ok", obj=obj or self.target,
                           detail={"via": "cli"})
        self.written = True


@contextmanager
def audited(db: Database, who: str, action: str, target: str | None) -> Iterator[AuditRow]:
    """Keep the write attempt of a CLI command in the audit log (actor `who`, outcome ok or
    error with the message), like the API's. Pass the yielded AuditRow as the library
    call's `audit=`: the ok row is then written in the write's transaction; otherwise it
    is written after the block."""
    from sharppower.web import accounts

    row = AuditRow(who, action, target)
    try:
        yield row
    except Exception as exc:
        accounts.audit(db, who, action, "error", obj=target,
                       detail={"via": "cli", "message": str(exc)[:2000]})
        raise
    if not row.written:
        accounts.audit(db, who, action, "ok", obj=target, detail={"via": "cli"})


def print_json(data: Any) -> None:
    if isinstance(data, pd.DataFrame):
        data = json.loads(data.to_json(orient="records", date_format="iso"))
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


def _missing(value: Any) -> bool:
    return not isinstance(value, (list, tuple, dict)) and bool(pd.isna(value))


# a column whose values are all at most this long is compact: a value is never broken
# across lines (numbers, codes, years, "82.9 [80-86]"); longer text wraps at spaces
COMPACT = 16
TEXT_MIN = 12  # a wrapping text column is never narrower than this (or its longest value)
WORD_MAX = 20  # ... nor than its longest word, up to this
LINK_MIN = 24  # nor is a link column, cut with an ellipsis on one line
LINK_CAP = 60  # a link gives way down to this before a text column wraps
HEADER_MIN = 6  # a compact column's heading may fold down to this (or its values' width)


def _cell(value: Any) -> str:
    return "" if _missing(value) else str(value)


_NUM = r"[-+]?(?:\d[\d,]*)?\.?\d+(?:e[-+]?\d+)?%?"
# a number, or a number with its interval: "0.69 [0.14, 0.95]", "82.9 (80.1 to 86.0)"
NUMERIC = re.compile(rf"{_NUM}(?:\s*[\[(]\s*{_NUM}\s*(?:,|to|-|–)\s*{_NUM}\s*[\])])?")


def _is_number(text: str) -> bool:
    """A number or a number with its interval: such a value is never broken or cut."""
    return NUMERIC.fullmatch(text.strip()) is not None


class _Col:
    """How one column of a terminal table is laid out: `kind` compact (numbers, codes:
    never broken or cut), link (URLs: one line, cut with an ellipsis) or text (wraps at
    spaces); `natural` and `least` widths."""

    def __init__(self, name: str, cells: list[str]):
        self.name, self.cells = name, cells
        longest = max((len(line) for c in cells for line in c.splitlines() or [""]), default=0)
        filled = [c for c in cells if c]
        if longest <= COMPACT or (filled and all(_is_number(c) for c in filled)):
            self.kind = "compact"
            self.natural = max(longest, len(name), 1)
            self.least = max(longest, min(len(name), HEADER_MIN), 1)
        elif filled and sum(c.startswith(("http://", "https://")) for c in filled) * 2 >= len(filled):
            self.kind = "link"
            self.natural = max(longest, len(name))
            self.least = min(self.natural, max(LINK_MIN, min(len(name), HEADER_MIN)))
        else:
            self.kind = "text"
            self.natural = max(longest, len(name))
            words = max((len(w) for c in cells for w in c.split()), default=0)
            # words (codes such as "sp_cyber_operations") stay whole up to WORD_MAX
            self.least = min(self.natural, max(TEXT_MIN, min(words, WORD_MAX)))

    def text(self, value: str) -> Text:
        if self.kind == "compact":
            return Text(value, no_wrap=True, overflow="ignore")
        if self.kind == "link":
            return Text(value, no_wrap=True, overflow="ellipsis")
        return Text(value, overflow="fold")  # wraps at spaces, folds only an overlong word


def _widths(cols: list[_Col], width: int) -> list[int] | None:
    """Column widths filling at most `width` (one space between columns), or None when
    even the least widths do not fit. Compact columns keep their values whole: only their
    headings fold; text and link columns give way first, the widest first."""
    room = width - (len(cols) - 1)
    widths = [c.natural for c in cols]
    if sum(widths) <= room:
        return widths
    if sum(c.least for c in cols) > room:
        return None
    # headings of compact columns fold first, links are cut to LINK_CAP, text columns
    # wrap, then links are cut further
    for stage, cap in (("compact", None), ("link", LINK_CAP), ("text", None), ("link", None)):
        floor = [max(c.least, min(c.natural, cap)) if cap else c.least for c in cols]
        excess = sum(widths) - room
        while excess > 0:
            can = [i for i, c in enumerate(cols) if c.kind == stage and widths[i] > floor[i]]
            if not can:
                break
            i = max(can, key=lambda j: widths[j] - floor[j])
            step = min(excess, widths[i] - floor[i], max(1, (widths[i] - floor[i]) // 2))
            widths[i] -= step
            excess -= step
        if sum(widths) <= room:
            return widths
    return widths


def _groups(cols: list[_Col], width: int) -> list[list[int]]:
    """Columns split into tables that each fit `width`, the first column (the row's key)
    repeated in each: a number is never cut to make a table fit."""
    if _widths(cols, width) is not None or len(cols) < 2:
        return [list(range(len(cols)))]
    groups, current = [], [0]
    for i in range(1, len(cols)):
        trial = current + [i]
        if len(current) > 1 and _widths([cols[j] for j in trial], width) is None:
            groups.append(current)
            current = [0, i]
        else:
            current = trial
    groups.append(current)
    return groups


def print_table(df: pd.DataFrame, title: str | None = None, max_rows: int = 200) -> None:
    """A table at the terminal's width (rich's Console: the terminal, else COLUMNS, else
    80): one space between columns, no outer border. Numbers and other compact values are
    never broken or cut (their headings may fold); text columns wrap at spaces; URLs stay
    on one line, cut with an ellipsis (--json gives them whole). When the compact columns
    alone are wider than the terminal the table continues below, the first column
    repeated."""
    shown = df.head(max_rows)
    cols = [_Col(str(c), [_cell(v) for v in shown[c]]) for c in shown.columns]
    width = console.width
    groups = _groups(cols, width)
    for n, group in enumerate(groups):
        part = [cols[i] for i in group]
        widths = _widths(part, width) or [c.least for c in part]
        label = title if n == 0 or title is None else f"{title} (continued)"
        table = Table(title=label, show_lines=False, box=box.SIMPLE_HEAD, padding=(0, 0),
                      pad_edge=False, show_edge=False)
        for col, w in zip(part, widths):
            table.add_column(Text(col.name, overflow="fold", no_wrap=False), width=w,
                             no_wrap=col.kind != "text",
                             overflow="fold" if col.kind == "text" else "ellipsis")
        for r in range(len(shown)):
            table.add_row(*[col.text(col.cells[r]) for col in part])  # never markup
        console.print(table)
    if len(df) > max_rows:
        console.print(f"... {len(df) - max_rows} more rows (use --json for all)")
