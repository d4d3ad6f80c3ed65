"""From evidence to indicator values: counts of accepted incidents per actor x target x
indicator x year over a declared window, only where a source declares coverage.

A record is active from its start year to its end year; ongoing records in every year
from the start on; records with no end and not ongoing in their start year only.
The value of year y counts the accepted, not withdrawn records active in any year of
[y - window + 1, y]. Cells come from the coverage table (evidence_coverage plus
`extra_coverage` in values.yaml): covered and no incident -> 0; not covered -> no row
(missing). Flags: `partial_window` when the window reaches before the coverage start,
`partial_year` when the coverage ends before the year does. Records linked as the same
incident in two sources (`evidence_links`, e.g. an EUvsDisinfo case that ASD also lists)
count once; the value lists every record id and is flagged `linked_duplicates`.
"""

from __future__ import annotations

import json
from collections import defaultdict

import pandas as pd
import sqlalchemy as sa

from sharppower.codebook import Codebook
from sharppower.measures.evidence import store
from sharppower.measures.evidence.mapping import load_mapping
from sharppower.measures.evidence.records import default_codebook
from sharppower.measures.evidence.tables import evidence, evidence_coverage, evidence_links
from sharppower.sources.load import OBS_COLUMNS
from sharppower.store import Database

SOURCE = "evidence"
VALUE_COLUMNS = ["actor", "target", "indicator", "year", "value", "window", "evidence_ids",
                 "flags", "covered_by"]
COVERAGE_COLUMNS = ["origin", "actor", "target", "indicator", "first_year", "last_year",
                    "last_date", "note"]


def coverage_table(db: Database, settings: dict | None = None) -> pd.DataFrame:
    """Declared coverage: rows of COVERAGE_COLUMNS (from sources and values.yaml)."""
    with db.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(evidence_coverage)).mappings()]
    for spec in (settings or {}).get("extra_coverage") or []:
        for a in spec["actors"]:
            for t in spec["targets"]:
                for c in spec["indicators"]:
                    rows.append({"origin": spec.get("origin", "values.yaml"), "actor": a,
                                 "target": t, "indicator": c, "first_year": int(spec["first_year"]),
                                 "last_year": int(spec["last_year"]),
                                 "last_date": f"{int(spec['last_year'])}-12-31",
                                 "note": spec.get("note")})
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


def active_years(rec: dict, horizon: int) -> range:
    start = int(rec["start_date"][:4])
    if rec["ongoing"]:
        return range(start, max(start, horizon) + 1)
    end = int(rec["end_date"][:4]) if rec["end_date"] else start
    return range(start, end + 1)


def _cells(cover: pd.DataFrame) -> dict[tuple, dict]:
    """(actor, target, indicator, year) -> {first, last_date, origins} over the union."""
    cells: dict[tuple, dict] = {}
    for row in cover.itertuples(index=False):
        for year in range(int(row.first_year), int(row.last_year) + 1):
            key = (row.actor, row.target, row.indicator, year)
            cell = cells.setdefault(key, {"origins": set(), "first": row.first_year, "last_date": ""})
            cell["origins"].add(row.origin)
            cell["first"] = min(cell["first"], int(row.first_year))
            cell["last_date"] = max(cell["last_date"], row.last_date or f"{row.last_year}-12-31")
    return cells


def _active(db: Database, horizon: int) -> tuple[dict[tuple, list[str]], dict[str, str]]:
    """(actor, target, indicator, year) -> ids of accepted records active that year, and
    record id -> its origin (the source it came from)."""
    where = (evidence.c.status == "accepted") & (evidence.c.withdrawn_from_source == sa.false())
    with db.connect() as conn:
        recs = store.read_records(conn, where, order=False)
    out: dict[tuple, list[str]] = defaultdict(list)
    for rec in recs:
        for year in active_years(rec, horizon):
            for actor in rec["actors"]:
                for code in rec["indicators"]:
                    out[(actor, rec["target"], code, year)].append(rec["id"])
    return out, {rec["id"]: rec["origin"] for rec in recs}


def incident_of(db: Database) -> dict[str, str]:
    """Record id -> the record that stands for its incident, for records linked as the same
    incident in two sources (evidence_links): a linked group counts once."""
    with db.connect() as conn:
        pairs = conn.execute(sa.select(evidence_links.c.evidence_id, evidence_links.c.linked_id)
                             .where(evidence_links.c.relation == "same_incident")).all()
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: root(x) for x in parent}


def _composites(settings: dict, cb: Codebook) -> dict[str, tuple[set[str], str | None]]:
    """Composite code -> (its member indicators, the one origin it counts or None)
    (`composites` in values.yaml: `of` names a codebook pillar, or `indicators` lists
    codes; `origin` restricts it to one evidence source, e.g. the ASD tracker)."""
    out = {}
    for code, spec in (settings.get("composites") or {}).items():
        members = set(spec.get("indicators") or [])
        if spec.get("of"):
            members |= set(cb.indicators.loc[cb.indicators["pillar"] == spec["of"], "code"])
        out[code] = (members, spec.get("origin"))
    return out


def _with_composites(cells: dict, active: dict, composites: dict, cover: pd.DataFrame,
                     origin_of: dict[str, str]):
    """Add each composite's cells (covered where any member is covered; by its origin's
    coverage only when it names one) and its active records (a record coded to several
    members counts once; only its origin's records when it names one)."""
    base = dict(cells)
    for comp, (members, origin) in composites.items():
        source_cells = base if origin is None else _cells(cover[cover["origin"] == origin])
        for (actor, target, code, year), cell in list(source_cells.items()):
            if code not in members:
                continue
            key = (actor, target, comp, year)
            into = cells.setdefault(key, {"origins": set(), "first": cell["first"],
                                          "last_date": ""})
            into["origins"] |= cell["origins"]
            into["first"] = min(into["first"], cell["first"])
            into["last_date"] = max(into["last_date"], cell["last_date"])
        merged: dict[tuple, set[str]] = defaultdict(set)
        for (actor, target, code, year), ids in list(active.items()):
            if code in members:
                merged[(actor, target, comp, year)].update(
                    i for i in ids if origin is None or origin_of.get(i) == origin)
        for key, ids in merged.items():
            active[key] = sorted(ids)
    return cells, active


def indicator_values(db: Database, codebook: Codebook | None = None,
                     settings: dict | None = None) -> pd.DataFrame:
    """One row per covered cell, columns VALUE_COLUMNS: value (count), window (years),
    evidence_ids (sorted list), flags (list), covered_by (list of origins)."""
    cb = codebook or default_codebook()
    settings = settings if settings is not None else load_mapping("values", cb)
    cover = coverage_table(db, settings)
    cells = _cells(cover)
    if not cells:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    horizon = max(k[3] for k in cells)
    active, origin_of = _active(db, horizon)
    cells, active = _with_composites(cells, active, _composites(settings, cb), cover, origin_of)
    incident = incident_of(db)
    windows = settings.get("windows") or {}
    rows = []
    for (actor, target, code, year), cell in sorted(cells.items()):
        w = int(windows.get(code, settings.get("default_window", 3)))
        ids = sorted({i for y in range(year - w + 1, year + 1) for i in active.get((actor, target, code, y), [])})
        flags = []
        incidents = {incident.get(i, i) for i in ids}
        if len(incidents) < len(ids):
            flags.append("linked_duplicates")
        if year - w + 1 < cell["first"]:
            flags.append("partial_window")
        if cell["last_date"][:4] == str(year) and cell["last_date"][5:] != "12-31":
            flags.append("partial_year")
        rows.append({"actor": actor, "target": target, "indicator": code, "year": year,
                     "value": float(len(incidents)), "window": w, "evidence_ids": ids, "flags": flags,
                     "covered_by": sorted(cell["origins"])})
    return pd.DataFrame(rows, columns=VALUE_COLUMNS)


def observations_frame(values: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Indicator values as rows of the observations table (source 'evidence')."""
    units = dict(zip(codebook.indicators["code"], codebook.indicators["unit"]))
    obs = pd.DataFrame({
        "actor": values["actor"], "target": values["target"], "year": values["year"].astype(int),
        "indicator": values["indicator"], "value": values["value"].astype(float),
        "unit": values["indicator"].map(units), "n": values["value"].astype(float),
        "source": SOURCE, "source_file": "evidence_coverage",
        "source_row": values["covered_by"].map(lambda o: ",".join(o)),
        "evidence_ids": values["evidence_ids"].map(json.dumps),
        "flags": values["flags"].map(lambda f: json.dumps(f) if f else None),
        "note": [f"accepted incidents active {y - w + 1}-{y} ({w}-year window)"
                 for y, w in zip(values["year"], values["window"])],
    })
    return obs.reindex(columns=OBS_COLUMNS)
