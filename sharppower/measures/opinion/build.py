"""Build steps of the opinion measure (STEPS, discovered by `sharppower.pipeline`).

1. `pew-global-attitudes`: `load` validates the snapshot (cached as Parquet) and records it.
2. `opinion` (needs 1): estimates, quality checks and attraction observations. Its state is
   the loaded snapshot's sha256 and the method version (schema.METHOD_VERSION), so a build
   with neither (nor the code) changed does nothing. Findings of the quality checks are
   returned as warnings, which `sharppower build` prints.
"""

from __future__ import annotations

import pandas as pd

from sharppower.codebook import Codebook
from sharppower.countries import CountryResolver
from sharppower.measures.opinion.estimate import compute_estimates
from sharppower.measures.opinion.schema import METHOD_VERSION, STATE_ACTORS
from sharppower.measures.opinion.store import save_estimates
from sharppower.sources.connectors import pew
from sharppower.sources.load import LoadContext, record_source, summarise
from sharppower.sources.snapshot import Snapshot, open_snapshot
from sharppower.sources.steps import source_step
from sharppower.steps import LoadResult, Step
from sharppower.store import Database

STEP = "opinion"


def load(ctx: LoadContext, snapshot: Snapshot) -> LoadResult:
    """Validate the snapshot (cached as Parquet) and record it; opinion_step estimates."""
    frame = pew.respondents(snapshot, ctx.resolver)
    with ctx.db.begin() as conn:
        record_source(conn, pew.SOURCE, snapshot, len(frame))
    years = (int(frame["year"].min()), int(frame["year"].max()))
    return LoadResult(pew.SOURCE.name, "loaded", len(frame), int(frame["public"].nunique()), years)


def state_actors(resp: pd.DataFrame) -> list[str]:
    return [a for a in STATE_ACTORS if f"opi_{a}" in resp.columns]


def summarise_findings(findings: pd.DataFrame) -> list[str]:
    """One warning per check, year and public (or whole wave): what was flagged and why."""
    out = []
    keyed = findings.assign(where=findings["public"].fillna("every public"))
    for (check, year, where), group in keyed.groupby(["check", "year", "where"], sort=True):
        actors = ", ".join(sorted(group["actor"].unique()))
        out.append(f"{check}: {year}, actor {actors}, {where}: flagged suspect (left out of "
                   f"the index by default): {group['detail'].iloc[0]}")
    return out


def result_of(findings: pd.DataFrame, obs: pd.DataFrame) -> LoadResult:
    stats = summarise(obs)
    return LoadResult(STEP, "loaded", stats["rows"], stats["countries"], stats["years"],
                      summarise_findings(findings))


def load_harmonised(db: Database, snapshot: Snapshot, codebook: Codebook,
                    res: CountryResolver | None = None) -> LoadResult:
    """Estimates from the harmonised RDS of a snapshot, saved in one transaction."""
    resp = pew.respondents(snapshot, res)
    est = compute_estimates(resp, pew.FILE, pew.ROW_LABEL, actors=state_actors(resp))
    with db.begin() as conn:
        findings, obs = save_estimates(conn, est, pew.FILE, codebook)
    result = result_of(findings, obs)
    result.warnings += pew.unasked(resp, tuple(codebook.actors))
    return result


def opinion_state(ctx) -> list:
    return [ctx.snapshot_shas(pew.SOURCE.name)[pew.SOURCE.name], METHOD_VERSION,
            list(ctx.codebook.actors)]


def opinion_step(ctx) -> list[LoadResult]:
    name = pew.SOURCE.name
    sha = ctx.snapshot_shas(name)[name]
    if sha is None:
        return [LoadResult(STEP, "skipped")]
    snapshot = open_snapshot(ctx.settings, pew.SOURCE)
    if snapshot is None or snapshot.sha256 != sha:
        warning = (f"the {name} snapshot loaded in the store is not in "
                   f"{ctx.settings.snapshot_dir}: run `sharppower pull` and `sharppower build`")
        return [LoadResult(STEP, "skipped", warnings=[warning])]
    ctx.progress("opinion estimates", 0, 1)
    return [load_harmonised(ctx.db, snapshot, ctx.codebook, ctx.resolver)]


STEPS = [
    source_step(pew.SOURCE, load, writes=("sources", "snapshot_files")),
    Step(STEP, opinion_step, needs=(pew.SOURCE.name,), state=opinion_state,
         writes=("opinion_estimates", "opinion_quality", "observations")),
]
