"""The warnings of one build, kept in full: a text file (one line per warning) and the
`build_log` row of step `build` (warnings as a JSON list, details: the file and counts).

The command line prints a short summary and the path of the file instead of every line.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sharppower.steps import LoadResult
from sharppower.store import Database
from sharppower.store.tables import build_log

STEP = "build"


def warning_lines(results: list[LoadResult]) -> list[str]:
    """Every warning of the build as `source: warning`, in build order."""
    return [f"{r.source}: {w}" for r in results for w in r.warnings]


def write_warnings(path: Path, results: list[LoadResult], started: datetime) -> Path:
    """Write the warnings to `path` (folders created), headed by the build's start time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = warning_lines(results)
    head = f"# sharppower build started {started.isoformat(timespec='seconds')}: {len(lines)} warnings"
    path.write_text("\n".join([head, *lines]) + "\n", "utf-8")
    return path


def record_build(db: Database, results: list[LoadResult], started: datetime,
                 log: Path | None = None) -> None:
    """Write the log file (when `log` is given) and the build's row in `build_log`."""
    if log is not None:
        write_warnings(log, results, started)
    lines = warning_lines(results)
    details = {"log": str(log) if log else None, "results": len(results),
               "loaded": sum(r.status == "loaded" for r in results)}
    with db.begin() as conn:
        conn.execute(build_log.insert(), {
            "step": STEP, "fingerprint": None, "status": "ok", "started_at": started,
            "finished_at": datetime.now(UTC), "rows": sum(r.rows for r in results),
            "countries": None, "years": None, "warnings": json.dumps(lines),
            "details": json.dumps(details)})


def default_log_path(data_dir: Path, started: datetime | None = None) -> Path:
    """`<data folder>/logs/build-<UTC time>.log`."""
    started = started or datetime.now(UTC)
    return Path(data_dir) / "logs" / f"build-{started.strftime('%Y%m%dT%H%M%S%fZ')}.log"
