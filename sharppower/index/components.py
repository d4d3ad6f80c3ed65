"""Which components each actor's scores rest on: the domains and indicators with data.

Actors are not measured alike: actor-generic sources (trade, arms, UN votes, opinion
surveys) give every declared actor a component, actor-specific ones (China's development
finance, its Confucius Institutes and leaders' visits) only the actors they declare
(`Source.actors`). `components_by_actor(db_or_run)` lists, per actor, pillar and domain,
the indicators that entered the run with at least one observed value and their sources;
the methodology page and `sharppower index components` read it.
"""

from __future__ import annotations

import pandas as pd

from sharppower.codebook import Codebook, packaged_codebook
from sharppower.errors import NotFound
from sharppower.index.nodes import run_nodes
from sharppower.index.store import scores
from sharppower.index.summary import indicator_table
from sharppower.sources.actors import measured_actors
from sharppower.sources.registry import SOURCES
from sharppower.store import Database

COMPONENT_COLUMNS = ["actor", "pillar", "domain", "indicators", "sources", "observed"]
DOMAIN_COLUMNS = ["actor", "pillar", "domain", "indicators", "sources"]


def _sources(code: str, ind: pd.DataFrame, derived: dict[str, tuple[str, str]]) -> list[str]:
    """The public sources of an indicator (a derived ratio: those of its parts)."""
    if code in derived:
        return sorted({s for part in derived[code] for s in _sources(part, ind, derived)})
    return [str(ind.loc[code, "source"])] if code in ind.index else []


def components_by_actor(source: Database | object, spec: str | None = None,
                        codebook: Codebook | None = None) -> pd.DataFrame:
    """Per actor, pillar and domain of a stored run (the latest, or spec `spec`'s) or of a
    `Run`: the indicators with observed values (list), their sources (list: a derived
    ratio's are its parts', by the default spec's `derived`) and the observed cells; in
    the run's actor order, then pillar and domain order. A domain an actor has no data
    for has no row."""
    if isinstance(source, Database):
        from sharppower.index.spec import load_spec
        from sharppower.index.store import indicator_summary

        table, derived = indicator_summary(source, spec), dict(load_spec().derived)
    else:
        table, derived = indicator_table(source), dict(source.spec.derived)
    ind = (codebook or packaged_codebook()).indicators.set_index("code")
    used = table[table["observed"] > 0]
    rows = []
    for (actor, pillar, domain), group in used.groupby(["actor", "pillar", "domain"], sort=False):
        codes = list(group["indicator"])
        rows.append({"actor": actor, "pillar": pillar, "domain": domain, "indicators": codes,
                     "sources": sorted({s for c in codes for s in _sources(c, ind, derived)}),
                     "observed": int(group["observed"].sum())})
    return pd.DataFrame(rows, columns=COMPONENT_COLUMNS)


def declared_for(book: Codebook, actor: str) -> pd.DataFrame:
    """The codebook's index indicators whose source measures `actor` (`Source.actors`)."""
    ind = book.indicators[book.indicators["index"].astype(bool)]
    keep = []
    for code, source in zip(ind["code"], ind["source"]):
        measured = measured_actors(SOURCES.get(source), book)
        keep.append(measured is None or actor in measured)
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


def domains_by_actor(db: Database | None = None, book: Codebook | None = None
                     ) -> pd.DataFrame:
    """One row per declared actor and domain of the run's hierarchy: actor, pillar, domain,
    indicators (list, hierarchy order) and sources (list); a domain with no indicator for
    the actor has empty lists (the pages say why: `components_by_actor` lists only the
    domains with data). Before any run is stored: the indicators whose source measures
    the actor."""
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
    return pd.DataFrame(rows, columns=DOMAIN_COLUMNS)


def why_lacking(book: Codebook, code: str, actor: str,
                derived: dict[str, tuple[str, str]] | None = None) -> str:
    """Why an actor has no value of an indicator: its source (or, for a derived ratio, a
    source of one of its parts) measures other actors only, or it has no data for the actor
    in the stored run. `derived`: the spec's derived ratios (default: read from the spec,
    which costs a parse per call)."""
    ind = book.indicators.set_index("code")
    if code not in ind.index:
        return "not in the codebook"
    if derived is None:
        from sharppower.index.spec import load_spec

        derived = dict(load_spec(codebook=book).derived)
    for name in _sources(code, ind, derived) or [str(ind.loc[code, "source"])]:
        measured = measured_actors(SOURCES.get(name), book)
        if measured is not None and actor not in measured:
            return f"{name} measures {', '.join(measured)} only (an actor-specific source)"
    return f"{ind.loc[code, 'source']} has no data for {actor} in the stored run"
