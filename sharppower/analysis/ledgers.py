"""Which evidence ledgers cover a country: an empty evidence list means "no ledger looks
there", not "no interference", unless a ledger that covers the country lists nothing.

A ledger (an evidence origin: the ASD tracker, EUvsDisinfo, the coercion cases, records
added by hand) covers the targets its `Source.universe` names when the connector declares
one, else the targets it has any record for.
"""

from __future__ import annotations

import sqlalchemy as sa

from sharppower.measures.evidence.tables import evidence
from sharppower.sources.registry import SOURCES
from sharppower.store import Database

NAMES = {"manual": "records added by hand", "starter-evidence": "the starter examples"}


def ledger_name(origin: str) -> str:
    """The ledger's plain name (its source's title)."""
    spec = SOURCES.get(origin)
    return spec.title if spec is not None else NAMES.get(origin, origin.replace("-", " "))


def ledger_coverage(db: Database, target: str) -> list[dict]:
    """Per ledger in the store: origin, name, countries (how many it covers), covers (the
    target among them), records (the target's records in it). Sorted by name."""
    with db.connect() as conn:
        rows = conn.execute(sa.select(evidence.c.origin, evidence.c.target)
                            .distinct()).all()
    targets: dict[str, set[str]] = {}
    for origin, tgt in rows:
        targets.setdefault(origin, set()).add(tgt)
    out = []
    for origin, seen in targets.items():
        spec = SOURCES.get(origin)
        universe = getattr(spec, "universe", None) if spec is not None else None
        if universe is not None and universe.targets != "all":
            seen = set(universe.targets)
        covers = (universe is not None and universe.targets == "all") or target in seen
        out.append({"origin": origin, "name": ledger_name(origin),
                    "countries": len(seen), "covers": covers})
    return sorted(out, key=lambda r: r["name"])


def no_evidence_text(db: Database, target: str, name: str) -> str:
    """What an empty evidence list means for `target` (`name`: its name), in words."""
    ledgers = ledger_coverage(db, target)
    if not ledgers:
        return f"No evidence record for {name}: no evidence ledger is loaded in this store."
    listed = "; ".join(f"{r['name']} ({r['countries']} countries)" for r in ledgers)
    covering = [r["name"] for r in ledgers if r["covers"]]
    if covering:
        return (f"No evidence record for {name}, although it is covered by "
                f"{', '.join(covering)}. Ledgers loaded: {listed}.")
    return (f"No evidence record for {name}: none of the ledgers loaded covers {name} "
            f"({listed}), so the absence of records says nothing about interference there.")
