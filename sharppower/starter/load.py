"""Load the starter data: cited observations (and, through the evidence ledger, records).

Starter observations are loaded only for indicators whose own source has not been loaded
from a real snapshot, so real data always replace them.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from sharppower.sources.base import Source, SourceFile
from sharppower.sources.load import record_source, replace_observations, summarise
from sharppower.steps import LoadResult

FILE = "observations.csv"

SOURCE = Source(
    name="starter",
    title="sharppower starter data (cited facts)",
    publisher="sharppower authors",
    homepage="https://github.com/sharppower/sharppower",
    licence="CC BY 4.0 (our compilation; each row cites its original publisher)",
    citation="Each row cites its published source in the column `citation`.",
    files=(SourceFile(FILE, "", ""),),
    kind="starter",
)


def read_starter() -> pd.DataFrame:
    with resources.files("sharppower.starter").joinpath(FILE).open("r", encoding="utf-8") as f:
        return pd.read_csv(f)


def starter_state(ctx) -> list:
    """The facts and the real sources loaded (whose indicators the facts give way to)."""
    return [read_starter().to_csv(index=False), sorted(real_sources(ctx.db))]


def real_sources(db) -> set[str]:
    return set(db.read("SELECT name FROM sources WHERE starter = :f", {"f": False})["name"])


def starter_step(ctx) -> list[LoadResult]:
    """Write the starter facts that no loaded real source replaces (the pipeline skips the
    step when neither the facts nor the set of loaded real sources changed)."""
    facts = read_starter()
    real = real_sources(ctx.db)
    source_of = dict(zip(ctx.codebook.indicators["code"], ctx.codebook.indicators["source"]))
    keep = facts[[source_of.get(i) not in real and not _has_real_survey(i, real) for i in facts["indicator"]]]
    obs = pd.DataFrame({
        "actor": keep["actor"], "target": keep["target"], "year": keep["year"],
        "indicator": keep["indicator"], "value": keep["value"].astype(float),
        "unit": keep["unit"], "source": SOURCE.name, "source_file": FILE,
        "source_row": [str(i + 2) for i in keep.index],
        "note": keep["citation"] + " <" + keep["source_url"] + ">",
    })
    with ctx.db.begin() as conn:
        n = replace_observations(conn, SOURCE.name, obs)
        record_source(conn, SOURCE, None, n, starter=True)
    stats = summarise(obs)
    return [LoadResult(SOURCE.name, "loaded", n, stats["countries"], stats["years"])]


def _has_real_survey(indicator: str, real: set[str]) -> bool:
    # Opinion indicators are produced by the opinion engine from the Pew source.
    return indicator.startswith("att_") and "pew-global-attitudes" in real
