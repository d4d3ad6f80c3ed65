"""DISARM technique proposals for evidence records, kept apart from the records until a
reviewer decides (table `technique_proposals`).

- `store_proposals(db, proposals, model)`: store a model's proposals ({evidence_id:
  [(technique, score), ...]} best first) as `proposed`. A technique already on the
  record, or already accepted or rejected for it, is not proposed again; an open
  proposal is refreshed (score, rank, model).
- `list_proposals(db, status, evidence_id)`: the proposals with the technique's name.
- `decide(db, evidence_id, technique, decision, reviewer)`: accept (the technique is
  added to the record's techniques in the same transaction, with a history row naming the
  reviewer; accepting is itself the review of that field, so an accepted record stays
  accepted) or reject. Only accepted techniques are on the record, so only they reach
  the STIX export.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa

from sharppower.errors import NotFound, ValidationError
from sharppower.measures.evidence import disarm, store
from sharppower.measures.evidence.records import default_codebook, evidence_indicators, normalise
from sharppower.measures.evidence.tables import disarm_framework, technique_proposals
from sharppower.store import Database
from sharppower.store.locking import write_transaction

DECISIONS = {"accept": "accepted", "reject": "rejected"}
COLUMNS = ["evidence_id", "technique", "name", "score", "rank", "model", "status",
           "proposed_at", "reviewed_by", "reviewed_at"]


def store_proposals(db: Database, proposals: dict[str, list[tuple[str, float]]],
                    model: str) -> dict[str, int]:
    """Store proposals; returns counts proposed (new or refreshed) and skipped (on the
    record already, or decided before)."""
    counts = {"proposed": 0, "skipped": 0}
    at = store.now_utc()
    with write_transaction(db) as conn:
        known = disarm.known_techniques(conn)
        for rid, items in sorted(proposals.items()):
            rec = store.read_record(conn, rid)
            if rec is None:
                raise NotFound(f"no evidence record {rid!r}")
            decided = {r[0]: r[1] for r in conn.execute(
                sa.select(technique_proposals.c.technique, technique_proposals.c.status).where(
                    technique_proposals.c.evidence_id == rid))}
            for rank, (tid, score) in enumerate(items, start=1):
                if tid not in known:
                    raise ValidationError("techniques", f"{tid} is not a technique of the "
                                          "loaded DISARM framework")
                if tid in rec["techniques"] or decided.get(tid) in ("accepted", "rejected"):
                    counts["skipped"] += 1
                    continue
                values = {"score": float(score), "rank": rank, "model": model,
                          "status": "proposed", "proposed_at": at}
                if tid in decided:
                    conn.execute(sa.update(technique_proposals).where(
                        (technique_proposals.c.evidence_id == rid)
                        & (technique_proposals.c.technique == tid)).values(**values))
                else:
                    conn.execute(technique_proposals.insert().values(
                        evidence_id=rid, technique=tid, **values))
                counts["proposed"] += 1
    return counts


def list_proposals(db: Database, status: str | None = "proposed",
                   evidence_id: str | None = None) -> pd.DataFrame:
    """Proposals (COLUMNS), by record then rank."""
    tp = technique_proposals
    stmt = sa.select(*[tp.c[c] for c in COLUMNS if c != "name"], disarm_framework.c.name).join(
        disarm_framework, disarm_framework.c.disarm_id == tp.c.technique, isouter=True)
    if status:
        stmt = stmt.where(tp.c.status == status)
    if evidence_id:
        stmt = stmt.where(tp.c.evidence_id == evidence_id)
    with db.connect() as conn:
        rows = [dict(r) for r in conn.execute(stmt.order_by(tp.c.evidence_id, tp.c.rank))
                .mappings()]
    return pd.DataFrame(rows, columns=COLUMNS)


def decide(db: Database, evidence_id: str, technique: str, decision: str,
           reviewer: str) -> dict[str, Any]:
    """Accept or reject one open proposal; returns the record as stored after it."""
    status = DECISIONS.get(str(decision).lower())
    if status is None:
        raise ValidationError("decision", f"must be accept or reject, not {decision!r}")
    if not reviewer or not str(reviewer).strip():
        raise ValidationError("reviewer", "the reviewer's name is required")
    tid = str(technique).strip().upper()
    cb = default_codebook()
    where = ((technique_proposals.c.evidence_id == evidence_id)
             & (technique_proposals.c.technique == tid))
    with write_transaction(db) as conn:
        store.lock_record(conn, evidence_id)
        row = conn.execute(sa.select(technique_proposals.c.status).where(where)).first()
        if row is None:
            raise NotFound(f"no technique proposal {tid} for record {evidence_id!r}")
        if row[0] != "proposed":
            raise ValidationError("decision", f"the proposal of {tid} for {evidence_id!r} was "
                                  f"already {row[0]}")
        at = store.now_utc()
        if status == "accepted":
            old = store.read_record(conn, evidence_id)
            new = normalise(old | {"techniques": [*old["techniques"], tid]}, cb)
            store.apply_changes(conn, old, new, evidence_indicators(cb), by=reviewer.strip(),
                                action="update", at=at)
        conn.execute(sa.update(technique_proposals).where(where).values(
            status=status, reviewed_by=reviewer.strip(), reviewed_at=at))
        return store.read_record(conn, evidence_id)
