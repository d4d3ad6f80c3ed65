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
from sharppower.index.summary import indicator_table
from sharppower.store import Database

COMPONENT_COLUMNS = ["actor", "pillar", "domain", "indicators", "sources", "observed"]


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
