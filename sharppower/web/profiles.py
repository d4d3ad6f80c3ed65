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
from sharppower.web.tables import page_data, profile_pages

PROFILE_VERSION = "4"  # bump when profile_core's output changes
# sums of floats as exact decimals: a float sum depends on the order rows are added in,
# which PostgreSQL's parallel scans vary from one query to the next
INPUTS = [
    "SELECT COUNT(*), MAX(id), SUM(CAST(value AS NUMERIC)) FROM observations",
    ("SELECT COUNT(*), MAX(id), SUM(CAST(n AS NUMERIC)), SUM(CAST(weight_sum AS NUMERIC)) "
     "FROM opinion_estimates"),
    "SELECT COUNT(*), MAX(iso3) FROM countries",
    "SELECT MAX(id), MAX(created_at), MAX(fingerprint) FROM index_runs",  # ids are reused
]


def input_parts(db: Database, queries: list[str] | None = None) -> list[list[str]]:
    """The answers of `queries` (default: PAGE_INPUTS, whose first are INPUTS) as text:
    what `inputs_fingerprint` and `pages_fingerprint` hash (one pass serves both)."""
    with db.connect() as conn:
        return [[str(v) for v in conn.execute(sa.text(q)).one()]
                for q in (PAGE_INPUTS if queries is None else queries)]


def inputs_fingerprint(db: Database, parts: list[list[str]] | None = None) -> str:
    """sha256 of what the profile cores are computed from (cheap aggregates; `parts`:
    `input_parts` read already)."""
    parts = input_parts(db, INPUTS) if parts is None else parts
    return hashlib.sha256(json.dumps([PROFILE_VERSION, parts[:len(INPUTS)]]).encode()
                          ).hexdigest()


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


PAGES_VERSION = "5"  # bump when the stored pages change (`pages.country.store_pages`)
PAGE_INPUTS = INPUTS + [
    "SELECT COUNT(*), MAX(updated_at), MAX(id) FROM evidence",
    "SELECT COUNT(*), MAX(retrieved_at), MAX(sha256) FROM sources",
]


WHOLE_VERSION = {"downloads", "evidence", "methodology"}  # pages showing the evidence
# ledger or what a validation run stores between builds: stamped with the whole version


def pages_fingerprint(db: Database, parts: list[list[str]] | None = None) -> str:
    """sha256 of what the stored page data are computed from (the profiles' inputs, the
    evidence ledger and the sources loaded; `parts`: `input_parts` read already)."""
    parts = input_parts(db) if parts is None else parts
    return hashlib.sha256(json.dumps([PROFILE_VERSION, PAGES_VERSION, parts]).encode()
                          ).hexdigest()


def page_stamp(version: tuple[Any, ...], whole: bool) -> str:
    """The stamp of stored page data: the data version (`web.cache.data_version`), or for a
    page that shows the evidence ledger (`whole`) the whole store version, which a review
    between builds changes."""
    return ":".join(str(v) for v in version) if whole else data_version(version)


def write_pages(db: Database, pages: dict[str, tuple[dict, bool]], version: tuple[Any, ...],
                inputs: str) -> int:
    """Replace the stored page data (key -> (JSON-safe dict, whole): the default map of each
    actor, ...) in one transaction."""
    now = datetime.now(UTC)
    rows = [{"key": key, "stamp": page_stamp(version, whole), "inputs": inputs,
             "computed_at": now,
             "payload": json.dumps(clean(data), allow_nan=False, separators=(",", ":"))}
            for key, (data, whole) in pages.items()]
    with db.begin() as conn:
        conn.execute(page_data.delete())
        if rows:
            conn.execute(page_data.insert(), rows)
    return len(rows)


def reuse_pages(db: Database, version: tuple[Any, ...], inputs: str,
                whole: set[str] = WHOLE_VERSION) -> int | None:
    """Re-stamp the stored page data when every row was computed from these `inputs` (the
    keys in `whole` with the whole version); the number re-stamped, or None."""
    with db.begin() as conn:
        rows = conn.execute(sa.select(page_data.c.key, page_data.c.inputs)).all()
        if not rows or any(r.inputs != inputs for r in rows):
            return None
        for key, _ in rows:
            conn.execute(page_data.update().where(page_data.c.key == key)
                         .values(stamp=page_stamp(version, key in whole)))
        return len(rows)


def stored_page(db: Database, key: str, version: tuple[Any, ...],
                whole: bool = False) -> dict | None:
    """The page data stored under `key` when computed at this store `version` (its data
    version, or the whole version for `whole`); None otherwise (the caller computes it)."""
    with db.connect() as conn:
        row = conn.execute(sa.select(page_data.c.stamp, page_data.c.payload)
                           .where(page_data.c.key == key)).first()
    if row is None or row.stamp != page_stamp(version, whole):
        return None
    return json.loads(row.payload)
