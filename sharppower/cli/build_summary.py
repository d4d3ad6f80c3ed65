"""The short summary `sharppower build` prints: totals by status, time per stage, and the
warnings counted per source with the path of the file that holds them all."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sharppower.steps import LoadResult

TOP_SOURCES = 4  # sources named beside the warning count


def status_line(results: list[LoadResult], seconds: float) -> str:
    """`Built in 24.8 s: 41 sources and tables (30 loaded, 5 unchanged, 6 skipped), 1,234 rows.`"""
    counts = Counter(r.status for r in results)
    parts = ", ".join(f"{n} {status}" for status, n in counts.most_common())
    rows = sum(r.rows for r in results)
    return (f"Built in {seconds:.1f} s: {len(results)} sources and tables ({parts}), "
            f"{rows:,} rows.")


def stages_line(stage_seconds: dict[str, float]) -> str:
    """`Stages: reference 0.3 s, sources 18.2 s, ...`"""
    return "Stages: " + ", ".join(f"{name} {s:.1f} s" for name, s in stage_seconds.items())


def warnings_line(results: list[LoadResult], log: Path) -> str:
    """`62 warnings from 12 sources (freedom-house 14, vdem 9, ...); all in <log>`."""
    per_source = Counter({r.source: len(r.warnings) for r in results if r.warnings})
    total = sum(per_source.values())
    if not total:
        return "No warnings; the log is"
    top = ", ".join(f"{name} {n}" for name, n in per_source.most_common(TOP_SOURCES))
    more = ", ..." if len(per_source) > TOP_SOURCES else ""
    return f"{total} warnings from {len(per_source)} sources ({top}{more}); all of them in"


def summary_lines(results: list[LoadResult], seconds: float, stage_seconds: dict[str, float],
                  log: Path) -> list[str]:
    return [status_line(results, seconds), stages_line(stage_seconds), warnings_line(results, log)]
