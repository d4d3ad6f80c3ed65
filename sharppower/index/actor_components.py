"""Which components each actor's index rests on: per actor and domain, the indicators that
entered the stored run's domain scores (any target, any year) and their sources; before
any run is stored, the indicators the codebook declares for the actor (an actor-specific
source lists the actors it measures; the others measure every declared actor).

Interim: helper A's `index.components_by_actor` (same columns) replaces this module when
merged; the methodology page reads it through `components_by_actor` alone.
"""

from __future__ import annotations

import pandas as pd

from sharppower.codebook import Codebook, packaged_codebook
from sharppower.errors import NotFound
from sharppower.index.nodes import run_nodes
from sharppower.index.store import scores
from sharppower.store import Database

COLUMNS = ["actor", "pillar", "domain", "indicators", "sources"]


def declared_for(book: Codebook, actor: str) -> pd.DataFrame:
    """The codebook's index indicators that measure `actor` (actor-specific ones list it)."""
    ind = book.indicators[book.indicators["index"].astype(bool)]
    keep = [a is None or (isinstance(a, float) and pd.isna(a)) or actor in a
            for a in ind["actors"]]
    return ind[keep]


def _stored_indicators(db: Database | None) -> dict[tuple[str, str], set[str]] | None:
    """(actor, domain) -> indicators entering the stored run's domain scores; None
    before any run."""
    if db is None:
        return None
    try:
        frame = scores(db, level="domain")
    except NotFound:
        return None
    out: dict[tuple[str, str], set[str]] = {}
    for actor, domain, comps in zip(frame["actor"], frame["node"], frame["components"]):
        out.setdefault((actor, domain), set()).update(
            p for p in str(comps or "").split(";") if p)
    return out


def components_by_actor(db: Database | None = None, book: Codebook | None = None
                        ) -> pd.DataFrame:
    """One row per declared actor and domain of the run's hierarchy: actor, pillar, domain,
    indicators (list, hierarchy order) and sources (list); a domain with no indicator for
    the actor has empty lists."""
    book = book or packaged_codebook()
    nodes = run_nodes(db)
    stored = _stored_indicators(db)
    source = dict(zip(book.indicators["code"], book.indicators["source"]))
    rows = []
    for actor in book.actors:
        declared = set(declared_for(book, actor)["code"])
        for n in nodes:
            if n["level"] != "domain":
                continue
            have = (stored.get((actor, n["node"]), set()) if stored is not None
                    else declared)
            codes = [c for c in n["children"] if c in have]
            rows.append({"actor": actor, "pillar": n.get("parent"), "domain": n["node"],
                         "indicators": codes,
                         "sources": sorted({source.get(c, "") for c in codes} - {""})})
    return pd.DataFrame(rows, columns=COLUMNS)
