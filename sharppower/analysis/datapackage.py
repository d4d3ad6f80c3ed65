"""Downloads as a Frictionless Data Package: `datapackage.json` beside one CSV per table,
each with a Table Schema (field names, types, units and descriptions, missing values,
primary key), the package's licences and its sources.

Only what the sources allow is published: each connector's `redistribute` allow-list
(`sharppower.sources.base.Source`) decides whether its observations, its records (title,
dates, target, link) and its texts (narratives) are shipped. Data the project makes itself
(the index, evidence coded by hand, the starter facts) are published. ISO3 columns get a
name column beside them; floats are rounded (no 136.04999999999995).

The evidence tables are published for everyone with accepted records only and without
the ledger's private columns (`PRIVATE_EVIDENCE`: the coder's and reviewer's account
names, notes, the source payload); `private=True` (a reviewer's or admin's request) gives
every record and column. Every text cell that a spreadsheet would run as a formula (=, +,
-, @ first) is prefixed with "'" in every CSV written (`encode_csv`), as the ledger's own
CSV export does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from sharppower import __version__
from sharppower.errors import ValidationError
from sharppower.index.names import indicator_sources, sources_text
from sharppower.index.nodes import run_nodes
from sharppower.index.scales import scale_text
from sharppower.measures.evidence.exchange import formula_safe
from sharppower.sources.registry import SOURCES
from sharppower.store import Database
from sharppower.store.lookups import country_names, whole_table

DIGITS = 6
TEXT_COLUMNS = {"evidence": ["narrative", "source_payload", "notes"]}
PRIVATE_EVIDENCE = ["coder", "reviewed_by", "reviewed_at", "notes", "source_payload"]
EVIDENCE_TABLES = ("evidence", "evidence_actors", "evidence_indicators")
KEYS = {"observations": ["id"], "countries": ["iso3"], "indicators": ["code"],
        "sources": ["name"], "evidence": ["id"], "evidence_actors": ["evidence_id", "actor"],
        "evidence_indicators": ["evidence_id", "indicator"],
        "index_scores": ["actor", "target", "year", "level", "node"]}
TITLES = {
    "observations": "Every observation: one value of one indicator for an actor, target and year",
    "countries": "Countries (ISO 3166 and Kosovo) with region",
    "indicators": "The codebook's indicators",
    "sources": "Sources loaded, with licence, citation and checksum",
    "evidence": "Evidence records (links to the publisher; narratives only where allowed)",
    "evidence_actors": "Actors of each evidence record",
    "evidence_indicators": "Indicators each evidence record codes",
    "index_scores": "Influence index, pillar and domain scores of the latest run",
}
FIELDS = {
    "actor": ("", "Acting state (ISO3): CHN China, RUS Russia"),
    "target": ("", "Target country (ISO3)"),
    "target_name": ("", "Target country's name"),
    "actor_name": ("", "Acting state's name"),
    "iso3": ("", "ISO 3166-1 alpha-3 code"), "name": ("", "Name"),
    "year": ("year", "Calendar year of the value"),
    "indicator": ("", "Codebook indicator code (see indicators.csv)"),
    "value": ("see unit", "The value, in the row's unit; empty is no data, never zero"),
    "unit": ("", "Unit of value"),
    "se": ("unit of value", "Standard error of value"),
    "ci_low": ("unit of value", "Lower end of the 95% interval"),
    "ci_high": ("unit of value", "Upper end of the 95% interval"),
    "n": ("respondents", "Sample size behind a survey value"),
    "source": ("", "Source name (see sources.csv)"),
    "score": ("score, 0-100", ("Score of the node, 0-100 across the actor's targets that year: "
                               "higher = more influence; under the attraction pillar higher = "
                               "more attraction, under the resilience pillar higher = more "
                               "resilient (see scale)")),
    "sources": ("", ("The sources the score rests on, in plain names ('rests on: IMF Direction "
                     "of Trade Statistics, ...'), or 'not covered by any source'")),
    "scale": ("", ("How to read the row's score: '0-100, higher = more influence', '... more "
                   "attraction' or '... more resilient'")),
    "rank": ("rank", "Rank among the actor's targets that year (1 = highest)"),
    "n_ranked": ("targets", "Targets ranked that year"),
    "coverage": ("share, 0-1", "Share of the node's components with a value that year"),
    "rank_low": ("rank", "5th percentile of the Monte Carlo rank (90% interval, holds rank)"),
    "rank_high": ("rank", "95th percentile of the Monte Carlo rank (90% interval, holds rank)"),
    "rank_median": ("rank", "Median Monte Carlo rank"),
    "rank_p05": ("rank", "5th percentile of the Monte Carlo rank (not widened)"),
    "rank_p95": ("rank", "95th percentile of the Monte Carlo rank (not widened)"),
    "score_low": ("score", "Lower end of the score's 95% interval"),
    "score_high": ("score", "Upper end of the score's 95% interval"),
    "components": ("", "Components (domains, or indicators of a domain) that entered the score"),
    "stale_components": ("years", "Components carried past their source's end, name:age"),
    "max_stale_age": ("years", "Age of the oldest carried value (0: none)"),
    "imputed_components": ("", "Components with an imputed value"),
    "zero_components": ("", "Components with a declared zero"),
    "level": ("", "index, pillar or domain"), "node": ("", "Index, pillar or domain code"),
    "licence": ("", "The source's licence or terms"), "citation": ("", "How to cite"),
}


def allowed(source: str, what: str) -> bool:
    """Whether a source's `what` (observations | records | texts) may be published; data
    the project makes itself (not a registered source) are."""
    spec = SOURCES.get(source)
    return spec is None or what in spec.redistribute


def _named(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """A `<col>_name` column after every ISO3 column (target, actor, iso3-like)."""
    for col in [c for c in ("target", "actor", "public") if c in frame.columns]:
        frame.insert(frame.columns.get_loc(col) + 1, f"{col}_name",
                     frame[col].map(names).astype(object))
    return frame


def _round(frame: pd.DataFrame) -> pd.DataFrame:
    floats = frame.select_dtypes("float").columns
    return frame.assign(**{c: frame[c].round(DIGITS) for c in floats})


def observations(db: Database) -> pd.DataFrame:
    frame = whole_table(db, "observations")
    return frame[np.array([allowed(s, "observations") for s in frame["source"]], dtype=bool)]


def evidence(db: Database, private: bool = False) -> pd.DataFrame:
    """Evidence records the sources allow; for everyone (`private` False) accepted ones only,
    without PRIVATE_EVIDENCE columns."""
    frame = whole_table(db, "evidence")
    frame = frame[np.array([allowed(o, "records") for o in frame["origin"]], dtype=bool)].copy()
    for col in TEXT_COLUMNS["evidence"]:
        if col in frame.columns:
            frame[col] = [v if allowed(o, "texts") else None
                          for v, o in zip(frame[col], frame["origin"])]
    if not private:
        frame = frame[frame["status"] == "accepted"].drop(
            columns=[c for c in PRIVATE_EVIDENCE if c in frame.columns])
    return frame


def _evidence_child(table: str) -> Callable[..., pd.DataFrame]:
    def read(db: Database, private: bool = False) -> pd.DataFrame:
        keep = set(evidence(db, private)["id"])
        frame = whole_table(db, table)
        return frame[frame["evidence_id"].isin(keep)]
    return read


def index_scores(db: Database, actor: str | None = None, year: int | None = None,
                 level: str | None = None, node: str | None = None) -> pd.DataFrame:
    """The stored run's scores with `scale` and `sources`; every score, or those of one
    actor, year, level or node (filters checked by `index.store.score_filters`: it names a
    wrong parameter and the valid values). The sources of a pillar or index come from its
    domains, so every level of the actor-years is read and the level and node kept after."""
    from sharppower.errors import NotFound
    from sharppower.index.store import score_filters, scores

    try:
        if any(v is not None for v in (actor, year, level, node)):
            f = score_filters(db, actor, year, level, node)
            actor, year, level, node = f["actor"], f["year"], f["level"], f["node"]
        frame = scores(db, actor, year, None)
    except NotFound:
        return pd.DataFrame(columns=KEYS["index_scores"] + ["score", "scale", "sources"])
    nodes = run_nodes(db)
    frame = with_sources(with_scale(frame, nodes), nodes)
    if level is not None:
        frame = frame[frame["level"] == level]
    if node is not None:
        frame = frame[frame["node"] == node]
    return frame


def with_sources(frame: pd.DataFrame, nodes: list[dict]) -> pd.DataFrame:
    """`frame` (actor, target, year, level, node, components ...) with a `sources` column:
    the sources each score rests on in plain names, bottom-up (a domain: the sources of the
    indicators that entered it; a pillar: its domains'; an index: its pillars'), or "not
    covered by any source" (`index.names`)."""
    src = indicator_sources()
    parent = {c: n["node"] for n in nodes for c in n.get("children", [])
              if n["level"] in ("index", "pillar")}
    key = ["actor", "target", "year"]
    found: dict[tuple, dict[str, None]] = {}
    for level in ("domain", "pillar", "index"):
        part = frame[frame["level"] == level]
        for row in zip(*(part[c] for c in [*key, "node", "components"])):
            *k, node, comps = row
            here = found.setdefault((*k, node), {})
            if level == "domain":
                for c in (comps or "").split(";") if isinstance(comps, str) else []:
                    if src.get(c.strip()):
                        here[src[c.strip()]] = None
            up = parent.get(node)
            if up is not None and here:
                found.setdefault((*k, up), {}).update(here)
    texts = [sources_text(list(found.get((a, t, y, n), {})), []) for a, t, y, n in
             zip(frame["actor"], frame["target"], frame["year"], frame["node"])]
    return frame.assign(sources=texts)


def with_scale(frame: pd.DataFrame, nodes: list[dict]) -> pd.DataFrame:
    """`frame` (level, node, score ...) with a `scale` column after `score`: how to read
    it (`index.scales.scale_text`), computed once per node."""
    text = {(lvl, node): scale_text(lvl, node, nodes)
            for lvl, node in set(zip(frame["level"], frame["node"]))}
    scale = [text[k] for k in zip(frame["level"], frame["node"])]
    at = frame.columns.get_loc("score") + 1 if "score" in frame.columns else len(frame.columns)
    frame = frame.copy()
    frame.insert(at, "scale", scale)
    return frame


def sources_table(db: Database) -> pd.DataFrame:
    return whole_table(db, "sources")


READERS: dict[str, Callable[..., pd.DataFrame]] = {
    "observations": observations, "countries": lambda db: whole_table(db, "countries"),
    "indicators": lambda db: whole_table(db, "indicators"), "sources": sources_table,
    "evidence": evidence, "evidence_actors": _evidence_child("evidence_actors"),
    "evidence_indicators": _evidence_child("evidence_indicators"),
    "index_scores": index_scores,
}


def table(db: Database, name: str, names: dict[str, str] | None = None,
          private: bool = False, filters: dict | None = None) -> pd.DataFrame:
    """One published table as shipped: allowed rows and fields, names beside ISO3, rounded
    (`private`: the evidence tables with every record and column, for reviewers;
    `filters`: index_scores of one actor, year, level or node, see `index_scores`)."""
    reader = READERS[name]
    if filters and name != "index_scores":
        raise ValidationError(next(iter(filters)), f"filters apply to index_scores only, not "
                                                   f"to {name}")
    frame = (reader(db, private) if name in EVIDENCE_TABLES
             else reader(db, **filters) if filters else reader(db))
    frame = frame.reset_index(drop=True).copy()
    names = names if names is not None else country_names(db)
    return _round(_named(frame, names))


def field_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "number"
    return "string"


def field(col: str, kind: str) -> dict:
    """A Table Schema field: name, type, description and unit (FIELDS)."""
    unit, text = FIELDS.get(col, ("", ""))
    if col.endswith("_name") and not text:
        text = f"Name of {col.removesuffix('_name')}"
    out = {"name": col, "type": kind,
           "description": text or f"{col.replace('_', ' ')} (see the table description)"}
    if unit:
        out["unit"] = unit
    return out


def schema(name: str, frame: pd.DataFrame) -> dict:
    fields = []
    for col in frame.columns:
        fields.append(field(col, field_type(frame[col])))
    out = {"fields": fields, "missingValues": [""]}
    key = [k for k in KEYS.get(name, []) if k in frame.columns]
    if key and not frame.duplicated(subset=key).any():
        out["primaryKey"] = key
    return out


def published_sources(db: Database) -> list[dict]:
    loaded = sources_table(db)
    return [{"title": r["title"], "path": r["url"], "licence": r["licence"]}
            for r in loaded.to_dict("records") if r.get("url")]


def descriptor(db: Database, frames: dict[str, pd.DataFrame], path: Callable[[str], str]) -> dict:
    """datapackage.json for `frames` (table name -> frame as shipped)."""
    srcs = published_sources(db)
    resources = [{"name": name, "path": path(name), "title": TITLES[name], "format": "csv",
                  "mediatype": "text/csv", "encoding": "utf-8", "profile": "tabular-data-resource",
                  "schema": schema(name, frame)} for name, frame in frames.items()]
    return {"profile": "tabular-data-package", "name": "sharppower",
            "title": "sharppower: Chinese and Russian influence and attraction, by country",
            "version": __version__,
            "description": "Only tables and fields whose sources allow redistribution "
                           "(each connector's allow-list); narratives of ASD and EUvsDisinfo "
                           "stay with their publishers, their links are in evidence.sources.",
            "licenses": [{"name": "other-at", "title": "Each source's own terms (see sources); "
                          "the project's derived tables: CC-BY-4.0"}],
            "sources": [{"title": s["title"], "path": s["path"]} for s in srcs],
            "resources": resources}


def formula_escaped(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text cell a spreadsheet would run as a formula prefixed with "'"."""
    types = pd.api.types
    text = [c for c in frame.columns if not (types.is_numeric_dtype(frame[c])
                                             or types.is_bool_dtype(frame[c])
                                             or types.is_datetime64_any_dtype(frame[c]))]
    return frame.assign(**{c: frame[c].map(lambda v: formula_safe(v) if isinstance(v, str)
                                           else v) for c in text})


def encode_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes of a published table (formula-escaped)."""
    return formula_escaped(frame).to_csv(index=False).encode("utf-8")


def write_package(db: Database, folder: Path | str) -> Path:
    """Every published table as CSV and `datapackage.json` into `folder`; the descriptor's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = country_names(db)
    frames = {name: table(db, name, names) for name in READERS}
    for name, frame in frames.items():
        (folder / f"{name}.csv").write_bytes(encode_csv(frame))
    out = folder / "datapackage.json"
    out.write_text(json.dumps(descriptor(db, frames, lambda n: f"{n}.csv"), indent=1),
                   encoding="utf-8")
    return out


# --- what the downloads page lists, without reading the tables ---------------------------
GROUPS = {"observations": ("source",), "evidence": ("origin", "status")}  # allow-list keys


def _sql_type(column: sa.Column) -> str:
    """The Table Schema type a read of `column` gives when it holds no NULL (`field_type`
    of the frame: Boolean -> boolean, Integer -> integer, Float -> number, else string)."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return "boolean"
    if isinstance(kind, sa.Integer):
        return "integer"
    if isinstance(kind, sa.Float):
        return "number"
    return "string"


def _read_type(declared: str, held: int, rows: int) -> str:
    """`field_type` of a read column of `declared` type holding `held` non-NULL values of
    `rows`: pandas reads an integer column with a NULL as floats and a column of NULLs
    only (or a boolean one with a NULL) as objects."""
    if declared == "string" or held == rows:
        return declared
    if held == 0 or declared == "boolean":
        return "string"
    return "number" if declared == "integer" else declared


def _published_columns(name: str, columns: list[str]) -> list[str]:
    """The shipped columns of table `name` read with `columns`: index_scores with `scale`
    after `score` and `sources` last, the public evidence without PRIVATE_EVIDENCE, a
    `<col>_name` after each ISO3 column (as `table` ships them)."""
    if name == "index_scores":
        at = columns.index("score") + 1
        columns = [*columns[:at], "scale", *columns[at:], "sources"]
    if name == "evidence":
        columns = [c for c in columns if c not in PRIVATE_EVIDENCE]
    out = []
    for col in columns:
        out.append(col)
        if col in ("target", "actor", "public"):
            out.append(f"{col}_name")
    return out


def _counted(db: Database, name: str) -> tuple[int, dict[str, int], list[sa.Column]] | None:
    """Rows of the published (public) table `name` and non-NULL values per column, from one
    COUNT query with the allow-lists' filters; None without a stored run (index_scores)."""
    from sharppower.errors import NotFound
    from sharppower.index.store import SCORE_COLUMNS, latest_run

    table = sa.Table(name, sa.MetaData(), schema=db.schema, autoload_with=db.engine)
    columns = list(table.columns)
    where = []
    if name == "index_scores":
        try:
            run_id = int(latest_run(db)["id"])
        except NotFound:
            return None
        columns = [table.c[c] for c in SCORE_COLUMNS]
        where = [table.c.run_id == run_id]
    if name in ("evidence_actors", "evidence_indicators"):
        kept = _public_evidence_ids(db)
        where = [table.c.evidence_id.in_(kept)]
    group = [table.c[g] for g in GROUPS.get(name, ())]
    stmt = sa.select(*group, sa.func.count(), *[sa.func.count(c) for c in columns]
                     ).select_from(table).where(*where)
    if group:
        stmt = stmt.group_by(*group)
    with db.connect() as conn:
        found = conn.execute(stmt).all()
    rows, held = 0, dict.fromkeys((c.name for c in columns), 0)
    for rec in found:
        keys, (count, *counts) = rec[:len(group)], rec[len(group):]
        if not _kept(name, keys):
            continue
        rows += count
        for col, n in zip(held, counts):
            held[col] += n
    if name == "evidence":  # narratives a source keeps: shipped empty
        texts = [c for c in TEXT_COLUMNS["evidence"] if c in held]
        for col in texts:
            held[col] = None  # a string column: its type does not depend on NULLs
    return rows, held, columns


def _kept(name: str, keys) -> bool:
    if name == "observations":
        return allowed(keys[0], "observations")
    if name == "evidence":
        return allowed(keys[0], "records") and keys[1] == "accepted"
    return True


def _public_evidence_ids(db: Database):
    """The ids of the public evidence records (accepted, from an origin whose records may be
    published), as a subquery."""
    table = sa.Table("evidence", sa.MetaData(), schema=db.schema, autoload_with=db.engine)
    with db.connect() as conn:
        origins = [o for (o,) in conn.execute(sa.select(table.c.origin).distinct())
                   if allowed(o, "records")]
    return (sa.select(table.c.id)
            .where(table.c.status == "accepted", table.c.origin.in_(origins)))


def summary(db: Database, name: str) -> dict:
    """What the downloads page lists of the public table `name`: `rows` (a COUNT with the
    allow-lists' filters), `columns` and `fields` (`schema`'s fields: name, type, unit,
    description), all as a read of the table (`table`) gives them, without reading it:
    columns and types from the store's table definition, NULL counts deciding the types
    pandas would read (`_read_type`). An empty table is read (it costs nothing)."""
    counted = _counted(db, name)
    if counted is None or counted[0] == 0:
        frame = table(db, name)
        return {"rows": len(frame), "columns": list(frame.columns),
                "fields": schema(name, frame)["fields"]}
    rows, held, columns = counted
    types = {c.name: _sql_type(c) if held[c.name] is None
             else _read_type(_sql_type(c), held[c.name], rows) for c in columns}
    shipped = _published_columns(name, [c.name for c in columns])
    fields = [field(col, types.get(col, "string")) for col in shipped]
    return {"rows": rows, "columns": shipped, "fields": fields}
