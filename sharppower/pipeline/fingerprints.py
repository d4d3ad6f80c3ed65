"""One fingerprint rule for every step, and its record in `build_log`.

A step's fingerprint is the sha256 of its name, a hash of its code (the source files of
`Step.code`: the run function's module, a source's loader and parser), the fingerprints of
its inputs (from this build, else their last successful run) and its state (what it reads
from outside the pipeline). A step whose fingerprint equals its last successful run is
"unchanged": its recorded results are returned again, and it does not run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from sharppower.pipeline.context import BuildContext
from sharppower.steps import LoadResult, Step, code_hash, fingerprint
from sharppower.store import Database
from sharppower.store.tables import build_log


@dataclass(frozen=True)
class LastRun:
    fingerprint: str
    results: list[LoadResult]


def step_fingerprint(ctx: BuildContext, step: Step, inputs: list[str]) -> str:
    given = {name: ctx.fingerprints.get(name) or _previous(ctx, name)[0] for name in inputs}
    state = step.state(ctx) if step.state else None
    return fingerprint(step.name, code_hash(*step.code_objects()), given, state)


def last_fingerprint(db: Database, step: str) -> str | None:
    found = _stored(db, step)
    return found[0] if found else None


def last_run(db: Database, step: str) -> LastRun | None:
    """The fingerprint and results of the step's last successful run, if any."""
    found = _stored(db, step)
    return _last(*found) if found else None


def _stored(db: Database, step: str) -> tuple[str, str | None] | None:
    """The step's last successful run as stored: (fingerprint, details)."""
    rows = db.read("SELECT fingerprint, details FROM build_log WHERE step = :s AND status = 'ok' "
                   "ORDER BY id DESC LIMIT 1", {"s": step})
    return None if rows.empty else (rows["fingerprint"].iloc[0], rows["details"].iloc[0])


def _last(fingerprint_: str, details_text: str | None) -> LastRun:
    details = json.loads(details_text or "{}")
    results = [LoadResult(r["source"], "unchanged", r["rows"], r["countries"],
                          tuple(r["years"]) if r["years"] else None, r["warnings"])
               for r in details.get("results", [])]
    return LastRun(fingerprint_, results)


def last_runs(db: Database) -> dict[str, tuple[str, str | None]]:
    """Every step's last successful run as stored (`_stored` of each), in one query: a
    build asks for each of its steps, some twice (55 round trips to the store otherwise).
    The build's own row (step `build`) is there too, with details of another form."""
    b = build_log.c
    newest = (sa.select(sa.func.max(b.id).label("id")).where(b.status == "ok")
              .group_by(b.step).subquery())
    rows = db.read(sa.select(b.step, b.fingerprint, b.details)
                   .join(newest, b.id == newest.c.id))
    return {step: (fp, details) for step, fp, details
            in zip(rows["step"], rows["fingerprint"], rows["details"], strict=True)}


def previous_run(ctx: BuildContext, step: str) -> LastRun | None:
    """`last_run` of a step as the build started (`last_runs`, read once per build), or as
    this build recorded it (`note_run`)."""
    found = _previous(ctx, step)
    return _last(*found) if found[0] is not None else None


def _previous(ctx: BuildContext, step: str) -> tuple[str | None, str | None]:
    """The step's last run as stored, (None, None) for none."""
    if ctx.last_runs is None:
        ctx.last_runs = last_runs(ctx.db)
    return ctx.last_runs.get(step) or (None, None)


def note_run(ctx: BuildContext, step: str) -> None:
    """After `record_run`: the step's last run is the one just recorded."""
    if ctx.last_runs is not None:
        ctx.last_runs[step] = _stored(ctx.db, step)


def record_run(db: Database, step: str, fingerprint_: str, results: list[LoadResult],
               started: datetime) -> None:
    """A successful run: its fingerprint, totals and each result (replayed when unchanged)."""
    years = [y for r in results if r.years for y in r.years]
    warnings = [w for r in results for w in r.warnings]
    details = {"results": [{"source": r.source, "rows": r.rows, "countries": r.countries,
                            "years": list(r.years) if r.years else None,
                            "warnings": r.warnings} for r in results]}
    with db.begin() as conn:
        conn.execute(build_log.insert(), {
            "step": step, "fingerprint": fingerprint_, "status": "ok", "started_at": started,
            "finished_at": datetime.now(UTC), "rows": sum(r.rows for r in results),
            "countries": max((r.countries for r in results), default=0),
            "years": f"{min(years)}-{max(years)}" if years else "",
            "warnings": json.dumps(warnings), "details": json.dumps(details),
        })
