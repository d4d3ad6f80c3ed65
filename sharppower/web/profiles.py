"""Country profiles stored by the build, so that the first visitor after a build is served
at once.

A profile's core (`pages.country.profile_core`: scores with their intervals and detail,
the attraction series, perceived influence, quadrant, vulnerability and resilience) rests
on frames that cover every target and cost seconds to compute once; `store_profiles`
(in `pages.country`) computes them once at the end of `build` and stores the core of each country with data
(an observation) for the default year as JSON in `web_profile_pages`, stamped with the store's data version
(`web.cache.data_version`: the latest build and index run). The page uses a stored core
only when its stamp is the store's current data version; otherwise (an index run stored
since, a store built before this table existed) it computes the profile as before. The
evidence and media sections are always read live (`pages.country.live_parts`).

When the build's inputs are unchanged (`inputs_fingerprint`: the observations, the survey
estimates, the countries, the latest index run and this module's version), the stored
cores are only re-stamped.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from sharppower.store import Database
from sharppower.web.cache import data_version
from sharppower.web.render import clean
from sharppower.web.tables import profile_pages

PROFILE_VERSION = "4"  # bump when profile_core's output changes
INPUTS = [
    "SELECT COUNT(*), MAX(id), SUM(value) FROM observations",
    "SELECT COUNT(*), MAX(id), SUM(n), SUM(weight_sum) FROM opinion_estimates",
    "SELECT COUNT(*), MAX(iso3) FROM countries",
    "SELECT MAX(id), MAX(created_at), MAX(fingerprint) FROM index_runs",  # ids are reused
]


def inputs_fingerprint(db: Database) -> str:
    """sha256 of what the profile cores are computed from (cheap aggregates)."""
    with db.connect() as conn:
        parts = [[str(v) for v in conn.execute(sa.text(q)).one()] for q in INPUTS]
    return hashlib.sha256(json.dumps([PROFILE_VERSION, parts]).encode()).hexdigest()


def reuse(db: Database, stamp: str, inputs: str) -> int | None:
    """Re-stamp the stored cores when every one was computed from these `inputs`; the
    number re-stamped, or None when they must be computed again."""
    with db.begin() as conn:
        kept = conn.execute(sa.select(sa.func.count()).select_from(profile_pages)
                            .where(profile_pages.c.inputs == inputs)).scalar()
        total = conn.execute(sa.select(sa.func.count()).select_from(profile_pages)).scalar()
        if not kept or kept != total:
            return None
        conn.execute(profile_pages.update().values(stamp=stamp))
        return int(kept)


def write_profiles(db: Database, cores: dict[str, dict], stamp: str, inputs: str) -> int:
    """Replace the stored cores (ISO3 -> JSON-safe dict) in one transaction."""
    now = datetime.now(UTC)
    rows = [{"target": code, "stamp": stamp, "inputs": inputs, "computed_at": now,
             "payload": json.dumps(clean(core), allow_nan=False, separators=(",", ":"))}
            for code, core in cores.items()]
    with db.begin() as conn:
        conn.execute(profile_pages.delete())
        if rows:
            conn.execute(profile_pages.insert(), rows)
    return len(rows)


def stored_profile(db: Database, iso3: str, version: tuple[Any, ...]) -> dict | None:
    """The stored profile core of `iso3` when it was computed at this store `version`'s
    data version; None otherwise (the caller computes it)."""
    with db.connect() as conn:
        row = conn.execute(sa.select(profile_pages.c.stamp, profile_pages.c.payload)
                           .where(profile_pages.c.target == iso3)).first()
    if row is None or row.stamp != data_version(version):
        return None
    return json.loads(row.payload)
