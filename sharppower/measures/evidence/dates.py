"""Partial dates with a precision (`day`, `month`, `year`).

Input accepts `YYYY`, `YYYY-MM`, `YYYY-MM-DD` and `YYYYMMDD` (with the precision given
or inferred from the form). Storage is always a full ISO date: the first day of the
period for a start date, the last day for an end date, so the stored interval covers
everything the precision allows. `display` prints a date at its precision.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

PRECISIONS = ("day", "month", "year")
_FORMS = [
    (re.compile(r"^(\d{4})$"), "year"),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "month"),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), "day"),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), "day"),
]


class DateProblem(ValueError):
    """A date that cannot be read; the message says why."""


def parse_partial(text: object, precision: str | None = None, end: bool = False) -> tuple[str, str]:
    """(ISO date, precision) for a date string; partial dates fill to the period's first
    (start) or last (end) day. An explicit precision keeps a full date as given."""
    value = str(text).strip()
    if isinstance(text, date):
        value = text.isoformat()
    if precision is not None and precision not in PRECISIONS:
        raise DateProblem(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    for pattern, form in _FORMS:
        m = pattern.match(value)
        if m:
            parts = [int(g) for g in m.groups()]
            return _fill(parts, end), precision or form
    raise DateProblem(f"not a date (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}")


def _fill(parts: list[int], end: bool) -> str:
    year = parts[0]
    month = parts[1] if len(parts) > 1 else (12 if end else 1)
    if not 1 <= month <= 12:
        raise DateProblem(f"month {month} is not between 1 and 12")
    last = calendar.monthrange(year, month)[1]
    day = parts[2] if len(parts) > 2 else (last if end else 1)
    if not 1 <= day <= last:
        raise DateProblem(f"day {day} is not a day of {year}-{month:02d}")
    return date(year, month, day).isoformat()


def display(iso: str | None, precision: str | None) -> str:
    """'2017', '2017-03' or '2017-03-05' according to the precision ('' for no date)."""
    if not iso:
        return ""
    return {"year": iso[:4], "month": iso[:7]}.get(precision or "day", iso)


def year_of(iso: str | None) -> int | None:
    return int(iso[:4]) if iso else None
