"""What every build step returns, and the one fingerprint of a step's inputs.

Neutral and low: sources, measures, the starter data, the index and the build orchestrator
all report through `LoadResult` and compare `fingerprint(...)` with the last successful run
in `build_log`. It imports nothing of sharppower.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    """One row of the build summary: a source or a derived table and what happened to it."""

    source: str
    status: str  # loaded | unchanged | skipped
    rows: int = 0
    countries: int = 0
    years: tuple[int, int] | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def years_text(self) -> str:
        return f"{self.years[0]}-{self.years[1]}" if self.years else ""


def fingerprint(*parts: object) -> str:
    """sha256 of the parts as canonical JSON (keys sorted; other objects as str)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
