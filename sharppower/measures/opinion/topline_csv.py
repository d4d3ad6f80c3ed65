"""Import published toplines from CSV: validated, all or nothing.

Columns: actor (ISO3 of a known actor), public (country name or code), year, question,
response, percent (0-100), n (respondents, optional), source_url (http or https). A bad value
raises an InputError naming file, row (as a spreadsheet shows it: the header is row 1) and
field; then nothing is stored. Re-importing a row (same actor, public, year, question,
response; question and response in any letter case) replaces it. Rows whose question and response `toplines.yaml` maps to a codebook
indicator become observations of the source `pew-toplines` (n kept, no interval: a topline
has no design information). The responses of one question that add up to more than 100
(beyond rounding) are flagged "suspect" and "inconsistent-percent".
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import sqlalchemy as sa

from sharppower.codebook import Codebook, load_codebook
from sharppower.countries import CountryResolver, resolver
from sharppower.errors import InputError
from sharppower.measures.opinion.schema import STATE_ACTORS, SUSPECT
from sharppower.measures.opinion.store import parse_flags
from sharppower.measures.opinion.tables import opinion_imports, opinion_toplines
from sharppower.sources.load import record_source, replace_observations, summarise
from sharppower.sources.readers import read_csv
from sharppower.steps import LoadResult
from sharppower.store import Database
from sharppower.store.database import frame_records, insert_rows
from sharppower.yaml_load import safe_load

COLUMNS = ("actor", "public", "year", "question", "response", "percent", "n", "source_url")
KEY = ["actor", "public", "year", "question", "response"]
ROUNDING = 0.5  # points each published (rounded) percentage may be off
MAX_N = 10_000_000  # respondents of one survey: more is a typo (or 1e308), not a sample


def questions() -> dict:
    text = resources.files("sharppower.measures.opinion").joinpath("toplines.yaml").read_text("utf-8")
    return safe_load(text)["questions"]


def indicator_for(question: str, response: str) -> str | None:
    spec = {k.lower(): v for k, v in questions().items()}.get(question.strip().lower())
    if not spec:
        return None
    return {k.lower(): v for k, v in spec["responses"].items()}.get(response.strip().lower())


def _number(value: str, name: str, row: int, field: str, integer: bool = False) -> float:
    try:
        number = float(value)
    except ValueError:
        raise InputError(name, f"not a number: {value!r}", row=row, field=field) from None
    if not math.isfinite(number):
        raise InputError(name, f"not a finite number: {value!r}", row=row, field=field)
    if integer and not number.is_integer():
        raise InputError(name, f"not a whole number: {value!r}", row=row, field=field)
    return number


def _row(rec: dict, row: int, name: str, actors: set[str], res: CountryResolver) -> dict:
    actor = rec["actor"].strip().upper()
    if actor not in actors:
        raise InputError(name, f"unknown actor {rec['actor']!r} (known: {', '.join(sorted(actors))})",
                         row=row, field="actor")
    public = res.resolve(rec["public"])
    if public is None:
        raise InputError(name, f"unknown country {rec['public']!r}", row=row, field="public")
    year = _number(rec["year"], name, row, "year", integer=True)
    if not 1990 <= year <= datetime.now().year + 1:
        raise InputError(name, f"not a survey year: {rec['year']!r}", row=row, field="year")
    for field in ("question", "response"):
        if not rec[field].strip():
            raise InputError(name, "empty", row=row, field=field)
    percent = _number(rec["percent"], name, row, "percent")
    if not 0 <= percent <= 100:
        raise InputError(name, f"a percentage must be between 0 and 100, not {rec['percent']}",
                         row=row, field="percent")
    n = _number(rec["n"], name, row, "n", integer=True) if rec["n"].strip() else None
    if n is not None and not 1 <= n <= MAX_N:
        raise InputError(name, f"n must be a count of respondents from 1 to {MAX_N:,}, not "
                         f"{rec['n']}", row=row, field="n")
    url = urlparse(rec["source_url"].strip())
    if url.scheme not in ("http", "https") or not url.netloc:
        raise InputError(name, f"not an http(s) URL: {rec['source_url']!r}", row=row,
                         field="source_url")
    return {"actor": actor, "public": public, "year": int(year), "question": rec["question"].strip(),
            "response": rec["response"].strip(), "percent": percent,
            "n": int(n) if n is not None else None, "url": url.geturl(), "source_file": name,
            "source_row": row}


def read_toplines(path: str | Path, codebook: Codebook | None = None,
                  res: CountryResolver | None = None) -> pd.DataFrame:
    """Parse and validate a toplines CSV; returns the rows for `opinion_toplines`."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise InputError(name, "no such file")
    # the shared reader: UTF-8 checked, every row as wide as the header (a row with extra
    # fields is blamed on its own row, not shifted into the next columns)
    raw = read_csv(path, name).drop(columns="_row")
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    for col in COLUMNS:
        if col not in raw.columns:
            raise InputError(name, "missing column", row=1, field=col)
    actors = set(STATE_ACTORS) | set((codebook or load_codebook()).actors)
    res = res or resolver()
    rows = [_row(rec, i + 2, name, actors, res) for i, rec in enumerate(raw.to_dict("records"))]
    frame = pd.DataFrame(rows, columns=list(COLUMNS[:5]) + ["percent", "n", "url", "source_file",
                                                           "source_row"])
    dup = frame.assign(question=frame["question"].str.casefold(),
                       response=frame["response"].str.casefold()).duplicated(KEY)
    if dup.any():
        row = int(frame.loc[dup, "source_row"].iloc[0])
        raise InputError(name, "the same actor, public, year, question and response twice "
                         "(letter case aside)",
                         row=row, field="response")
    return frame


def same_cell(rec: dict) -> list:
    """Conditions matching a stored topline of the same cell (question and response in any
    letter case: "Getting stronger" and "getting stronger" are one observation)."""
    col = opinion_toplines.c
    return [col.actor == rec["actor"], col.public == rec["public"], col.year == rec["year"],
            sa.func.lower(col.question) == rec["question"].lower(),
            sa.func.lower(col.response) == rec["response"].lower()]


def inconsistent(frame: pd.DataFrame) -> pd.Series:
    """True for the rows of a question whose responses add up to more than 100 + rounding."""
    group = frame.groupby(["actor", "public", "year", frame["question"].str.lower()])["percent"]
    limit = 100 + ROUNDING * group.transform("size")
    return group.transform("sum") > limit


def import_toplines(db: Database, path: str | Path, codebook: Codebook | None = None,
                    res: CountryResolver | None = None) -> LoadResult:
    """Validate and store a toplines CSV and rewrite the `pew-toplines` observations."""
    from sharppower.sources.connectors.pew_toplines import SOURCE

    codebook = codebook or load_codebook()
    new = read_toplines(path, codebook, res)
    with db.begin() as conn:
        for rec in new[KEY].to_dict("records"):
            conn.execute(sa.delete(opinion_toplines).where(sa.and_(*same_cell(rec))))
        insert_rows(conn, opinion_toplines, frame_records(new.assign(flags=None)))
        stored = pd.DataFrame(conn.execute(sa.select(opinion_toplines)).mappings().all())
        stored["flags"] = [[SUSPECT, "inconsistent-percent"] if bad else []
                           for bad in inconsistent(stored)]
        conn.execute(sa.update(opinion_toplines).values(flags=None))
        for rec in stored[stored["flags"].map(bool)].itertuples(index=False):
            conn.execute(sa.update(opinion_toplines).where(opinion_toplines.c.id == rec.id)
                         .values(flags=json.dumps(rec.flags)))
        obs = topline_observations(stored, codebook)
        replace_observations(conn, SOURCE.name, obs)
        record_source(conn, SOURCE, None, len(obs))
        conn.execute(opinion_imports.insert(), {
            "kind": "toplines", "file": Path(path).name, "rows": len(new),
            "sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest(),
            "imported_at": datetime.now(UTC), "detail": None})
    stats = summarise(obs)
    flagged = stored[stored["flags"].map(bool)]
    warnings = [f"inconsistent-percent: {r.actor} {r.public} {r.year} {r.question!r}: responses "
                "add up to more than 100; flagged suspect" for r in
                flagged.drop_duplicates(["actor", "public", "year", "question"]).itertuples()]
    return LoadResult(SOURCE.name, "loaded", stats["rows"], stats["countries"], stats["years"],
                      warnings)


def topline_observations(stored: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    codes = [indicator_for(q, r) for q, r in zip(stored["question"], stored["response"])]
    rows = stored.assign(indicator=codes)
    rows = rows[rows["indicator"].map(lambda c: c is not None and codebook.has_indicator(c))]
    return pd.DataFrame({
        "actor": rows["actor"], "target": rows["public"], "year": rows["year"].astype(int),
        "indicator": rows["indicator"], "value": rows["percent"].astype(float),
        "unit": [codebook.indicator(c)["unit"] for c in rows["indicator"]],
        "n": rows["n"].astype(float), "source": "pew-toplines", "source_file": rows["source_file"],
        "source_row": rows["source_row"].astype(str),
        "flags": [json.dumps(f) if f else None for f in rows["flags"]],
        "note": [f"{q} / {r}: {u}" for q, r, u in zip(rows["question"], rows["response"], rows["url"])],
    })


__all__ = ["import_toplines", "indicator_for", "parse_flags", "read_toplines"]
