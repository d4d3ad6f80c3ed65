"""Loading the Doublethink Lab pilot (source `embedded-propaganda`) into the media tables.

`load` is this measure's loader for the source (its step in STEPS, discovered by
`sharppower.pipeline`): in
one transaction it writes the connector's country rates as `sp_state_media_reuse`
observations and, as run `embedded-propaganda`, the per-site statistics (media_outlets) and
the matched URL pairs (media_pairs) that are the evidence behind each value. A pair's
attribution comes from the credit the local article gives (`target_attributions`): none ->
unattributed; a state outlet of attribution.yaml -> attributed; anyone else ->
reattributed. Its `containment` holds the pilot's paragraph overlap; `jaccard` is empty.
"""

from __future__ import annotations

import json
import re

import pandas as pd

from sharppower.measures.media.attribution import ATTRIBUTED, REATTRIBUTED, UNATTRIBUTED, load_rules
from sharppower.measures.media.report import wilson
from sharppower.measures.media.store import pairs_frame, run_record, write_run
from sharppower.sources.connectors import embedded_propaganda_africa as pilot
from sharppower.sources.load import LoadContext, observations_from_frame, summarise
from sharppower.sources.snapshot import Snapshot
from sharppower.sources.steps import source_step
from sharppower.steps import LoadResult


def credit_kind(credit: object) -> str:
    if credit is None or pd.isna(credit) or not str(credit).strip():
        return UNATTRIBUTED
    rules = load_rules()
    parts = [p.strip() for p in re.split(r",|&|\|", str(credit)) if p.strip()]
    return ATTRIBUTED if any(rules.actor(p) for p in parts) else REATTRIBUTED


def outlets_frame(sites: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    low, high = wilson(sites["embedded"], sites["n"])
    top = pairs.groupby("target_site")["source_0_site"].apply(
        lambda s: json.dumps({k: int(v) for k, v in s.value_counts().head(3).items()}))
    return pd.DataFrame({
        "outlet": sites["site"], "country": sites["target"], "year": pilot.YEAR, "actor": "CHN",
        "articles": sites["n"], "reused": sites["embedded"], "attributed": sites["attributed"],
        "reattributed": sites["reattributed"],
        "unattributed": sites["embedded"] - sites["attributed"] - sites["reattributed"],
        "rate": sites["embedded"] / sites["n"], "ci_low": low, "ci_high": high,
        "top_wire": sites["site"].map(top).fillna("{}")})


def matches_frame(pairs: pd.DataFrame) -> pd.DataFrame:
    rules = load_rules()
    return pd.DataFrame({
        "local_id": pairs["target_url"], "wire_id": pairs["source_0"],
        "containment": pairs["source_0_overlap"], "jaccard": None,
        "attribution": pairs["target_attributions"].map(credit_kind),
        "credit": pairs["target_attributions"], "local_outlet": pairs["target_site"],
        "country": pairs["target"], "local_date": pairs["target_date"],
        "wire_outlet": pairs["source_0_site"].map(rules.canonical), "actor": "CHN",
        "wire_date": pairs["source_0_date"], "local_url": pairs["target_url"],
        "wire_url": pairs["source_0"]})


def load(ctx: LoadContext, snapshot: Snapshot) -> LoadResult:
    frame = pilot.parse(snapshot, ctx.resolver)
    obs = observations_from_frame(frame, ctx.codebook, pilot.SOURCE.name)
    sites, pairs = pilot.sites(snapshot, ctx.resolver), pilot.pairs(snapshot, ctx.resolver)
    pairs = pairs[pairs["classification"] == "state-media"]
    record = run_record(pilot.SOURCE.name, pilot.SOURCE.name, pilot.METHOD, None, pilot.RESULTS,
                        None, int(sites["n"].sum()), len(pairs))
    n = write_run(ctx.db, record, outlets_frame(sites, pairs),
                  pairs_frame(matches_frame(pairs), pilot.SOURCE.name), obs, pilot.SOURCE,
                  snapshot=snapshot, replace_source=True)
    stats = summarise(obs)
    return LoadResult(pilot.SOURCE.name, "loaded", n, stats["countries"], stats["years"],
                      list(frame.attrs.get("warnings", [])))


STEPS = [source_step(pilot.SOURCE, load, writes=("observations", "media_runs", "media_outlets",
                                               "media_pairs", "sources", "snapshot_files"))]
