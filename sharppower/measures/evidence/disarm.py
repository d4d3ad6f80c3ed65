"""The DISARM framework in the store: loading it, reading it, validating technique ids.

Evidence records carry DISARM technique ids (`techniques`, e.g. T0086.002). An id is
accepted only when it is a technique (or sub-technique) of the framework loaded in the
store (table `disarm_framework`, from the `disarm-framework` source). Without a loaded
framework, e.g. on a starter-only store with no mirror, any technique id is refused
with an error on field `techniques` that says how to load it; records without
techniques work as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sharppower.errors import ValidationError
from sharppower.measures.evidence.tables import disarm_framework
from sharppower.sources.connectors import disarm as connector
from sharppower.sources.load import record_source
from sharppower.steps import LoadResult
from sharppower.store import Database

FIELD = "techniques"
TECHNIQUE = re.compile(r"^T\d{4}(\.\d{3})?$")
TACTIC = re.compile(r"^TA\d{2}$")
COLUMNS = ["kind", "disarm_id", "name", "summary", "phase_id", "tactic_id", "parent_id",
           "stix_id", "url", "created", "modified", "source_file", "source_row"]
NOT_LOADED = ("the DISARM framework is not loaded in this store, so no technique id can be "
              "checked: run `sharppower pull disarm-framework` (or set SHARPPOWER_MIRROR) and "
              "`sharppower build`")


def technique_ids(items: Iterable[Any], field: str = FIELD) -> list[str]:
    """Technique ids in canonical form (upper case, each once, order kept); the form only
    is checked here (the framework check needs the store: `check_known`)."""
    out: list[str] = []
    for item in items:
        code = str(item).strip().upper()
        if not TECHNIQUE.match(code):
            raise ValidationError(field, f"{item!r} is not a DISARM technique id "
                                  "(T0001 or a sub-technique such as T0086.002)")
        if code not in out:
            out.append(code)
    return out


def load_framework(conn: Connection, frame: pd.DataFrame) -> int:
    """Replace the stored framework with `frame` (the connector's parse) in the caller's
    transaction; returns the number of rows."""
    rows = frame.reindex(columns=COLUMNS)
    rows = rows.astype(object).where(rows.notna(), None).to_dict("records")
    conn.execute(sa.delete(disarm_framework))
    if rows:
        conn.execute(disarm_framework.insert(), rows)
    return len(rows)


def framework(db: Database, kind: str | None = None) -> pd.DataFrame:
    """The loaded framework (COLUMNS), phases, tactics and techniques by id; `kind` selects."""
    stmt = sa.select(*[disarm_framework.c[c] for c in COLUMNS]).order_by(disarm_framework.c.disarm_id)
    if kind:
        stmt = stmt.where(disarm_framework.c.kind == kind)
    with db.connect() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
    return pd.DataFrame(rows, columns=COLUMNS)


def known_techniques(conn: Connection) -> dict[str, str]:
    """Technique id -> tactic id of the loaded framework (empty when not loaded)."""
    stmt = sa.select(disarm_framework.c.disarm_id, disarm_framework.c.tactic_id).where(
        disarm_framework.c.kind == "technique")
    return dict(conn.execute(stmt).all())


def check_known(conn: Connection, ids: Iterable[str], field: str = FIELD) -> None:
    """ValidationError on `field` for ids not in the loaded framework (or none loaded)."""
    ids = list(ids)
    if not ids:
        return
    known = known_techniques(conn)
    if not known:
        raise ValidationError(field, NOT_LOADED)
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise ValidationError(field, f"unknown DISARM technique(s) {', '.join(unknown)} (not in the "
                              "loaded framework)")


def techniques_of_tactic(conn: Connection, tactic: str) -> list[str]:
    """Technique and sub-technique ids of a tactic; ValidationError on field 'tactic' when
    the tactic is not in the loaded framework."""
    code = str(tactic).strip().upper()
    found = conn.execute(sa.select(disarm_framework.c.disarm_id).where(
        (disarm_framework.c.kind == "tactic") & (disarm_framework.c.disarm_id == code))).first()
    if found is None:
        raise ValidationError("tactic", f"unknown DISARM tactic {tactic!r}" + (
            "" if known_techniques(conn) else f"; {NOT_LOADED}"))
    return [r[0] for r in conn.execute(sa.select(disarm_framework.c.disarm_id).where(
        (disarm_framework.c.kind == "technique") & (disarm_framework.c.tactic_id == code)))]


def stix_ids(conn: Connection, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """DISARM id -> its framework row (stix_id, name, url, tactic, created, modified)."""
    ids = list(ids)
    if not ids:
        return {}
    stmt = sa.select(disarm_framework).where(disarm_framework.c.disarm_id.in_(ids))
    return {r["disarm_id"]: dict(r) for r in conn.execute(stmt).mappings()}


def load(ctx, snapshot) -> LoadResult:
    """Loader of the `disarm-framework` source (its load step in STEPS of build.py): parse
    the snapshot and replace the stored framework in one transaction."""
    frame = connector.parse(snapshot)
    with ctx.db.begin() as conn:
        n = load_framework(conn, frame)
        record_source(conn, connector.SOURCE, snapshot, n)
    counts = frame["kind"].value_counts().to_dict()
    note = (f"{counts.get('phase', 0)} phases, {counts.get('tactic', 0)} tactics, "
            f"{counts.get('technique', 0)} techniques and sub-techniques")
    return LoadResult(connector.SOURCE.name, "loaded", n, 0, None, [note])


def codebook_mapping(codebook) -> dict[str, dict[str, list[str]]]:
    """Indicator code -> {'tactics': [...], 'techniques': [...]}: the DISARM tactics and
    techniques each codebook indicator declares (key `disarm` of the indicator)."""
    out = {}
    for item in codebook.raw.get("indicators") or []:
        spec = item.get("disarm") if isinstance(item, dict) else None
        if spec is not None:
            out[item["code"]] = {"tactics": [str(t) for t in spec.get("tactics") or []],
                                 "techniques": [str(t) for t in spec.get("techniques") or []]}
    return out


def unknown_in_mapping(codebook, frame: pd.DataFrame) -> list[str]:
    """'indicator: id' for every declared DISARM id that is not in `frame` (the framework)."""
    known = set(frame["disarm_id"])
    return [f"{code}: {i}" for code, spec in codebook_mapping(codebook).items()
            for i in spec["tactics"] + spec["techniques"] if i not in known]
