"""Alliance for Securing Democracy, Authoritarian Interference Tracker -> evidence ledger.

The published file (`data/incidents.json` of ASD-at-GMF/authoritarian_interference_tracker)
is a GeoJSON FeatureCollection with one Feature per target country (English name in
`properties.country`) and its incidents in `properties.incidents`: post_id, title, HTML
`content`, `date_text`, `start_date` / `end_date` (["YYYYMMDD"], [""] when open), link,
tools, actors. Each incident becomes an accepted record `asd-<post_id>` coded through
the declared mapping `measures/evidence/mappings/asd.yaml`.

Dates: ASD writes year-only dates as YYYY0101 (start) and YYYY1231 (end) and month-only
ones as the month's first or last day; the precision is read from that and from
`date_text` (kept in the record's notes). An empty end date means ongoing when
`date_text` says so ("2015 - Ongoing"); otherwise the end is unknown and the incident
counts in its start year only. An end before the start is a source error: the incident
is kept as a single date at the earlier of the two (with a warning).
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sharppower.errors import InputError
from sharppower.measures.evidence.importing import load_evidence, normalise_rows
from sharppower.measures.evidence.mapping import load_mapping
from sharppower.sources.base import Source, SourceFile
from sharppower.sources.load import LoadContext, LoadResult
from sharppower.sources.snapshot import Snapshot

FILE = "incidents.json"
COMMIT = "d56cde9e6d994795a08f3be959d61464f827a420"
MONTH = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?", re.IGNORECASE)
DAY = re.compile(r"\b\d{1,2}(st|nd|rd|th)?[ -](jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
                 r"|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b"
                 r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b", re.IGNORECASE)
ONGOING = re.compile(r"ongoing|present|continu", re.IGNORECASE)


def read_features(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(FILE, f"not readable JSON: {exc}") from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise InputError(FILE, "not a GeoJSON FeatureCollection (no 'features' list)", field="features")
    for i, feat in enumerate(features):
        props = (feat or {}).get("properties") or {}
        if not props.get("country") or not isinstance(props.get("incidents"), list):
            raise InputError(FILE, "a Feature needs properties.country and properties.incidents",
                             row=f"features[{i}]", field="properties")
    return features


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()


def _iso(raw: str, where: str, field: str) -> str:
    if not re.fullmatch(r"\d{8}", raw):
        raise InputError(FILE, f"not a YYYYMMDD date: {raw!r}", row=where, field=field)
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:])).isoformat()
    except ValueError:
        raise InputError(FILE, f"not a calendar date: {raw!r}", row=where, field=field) from None


def precision(iso: str, text: str, end: bool) -> str:
    """day, month or year for an ASD date, from its form and the date_text."""
    d = date.fromisoformat(iso)
    edge = (d + timedelta(days=1)).day == 1 if end else d.day == 1
    if not edge or DAY.search(text):
        return "day"
    year_edge = (d.month, d.day) == ((12, 31) if end else (1, 1))
    return "year" if year_edge and not MONTH.search(text) else "month"


def incident_dates(inc: dict[str, Any], where: str, warnings: list[str]) -> dict[str, Any]:
    text = str(inc.get("date_text") or "")
    start = _iso(_first(inc.get("start_date")), where, "start_date")
    end_raw = _first(inc.get("end_date"))
    out = {"start_date": start, "start_precision": precision(start, text, False),
           "end_date": None, "end_precision": None, "ongoing": False}
    if not end_raw:
        out["ongoing"] = bool(ONGOING.search(text))
        return out
    end = _iso(end_raw, where, "end_date")
    if end < start:
        warnings.append(f"{where}: end date {end} before start date {start}; kept as a single "
                        f"date {end} (date_text {text!r})")
        return out | {"start_date": end, "start_precision": precision(end, text, True),
                      "end_date": end, "end_precision": precision(end, text, True)}
    return out | {"end_date": end, "end_precision": precision(end, text, True)}


def _mapped(names: list[str], table: dict[str, Any], where: str, field: str, what: str) -> list:
    out = []
    for name in names:
        if name not in table:
            raise InputError(FILE, f"{what} {name!r} has no entry in mappings/asd.yaml",
                             row=where, field=field)
        for code in table[name] if isinstance(table[name], list) else [table[name]]:
            if code not in out:
                out.append(code)
    return out


def incident_record(inc: dict[str, Any], country: str, mapping: dict[str, Any], where: str,
                    warnings: list[str]) -> dict[str, Any]:
    tools = [t.get("name") for t in inc.get("tools") or []]
    actors = [a.get("name") for a in inc.get("actors") or []]
    text = str(inc.get("date_text") or "").strip()
    return {
        "_row": where, "id": f"asd-{inc.get('post_id')}", "origin": SOURCE.name,
        "origin_key": str(inc.get("post_id")), "target": country,
        "actors": _mapped(actors, mapping["actors"], where, "actors", "ASD actor"),
        **incident_dates(inc, where, warnings), "title": inc.get("title"),
        "narrative": inc.get("content"),
        "sources": [{"url": inc.get("link"), "publisher": mapping["publisher"]}],
        "categories": tools,
        "indicators": _mapped(tools, mapping["tools"], where, "tools", "ASD tool"),
        "confidence": mapping["confidence"], "status": mapping["status"], "coder": mapping["coder"],
        "notes": f"ASD date: {text}" if text else None,
    }


def parse(snapshot: Snapshot, codebook, res) -> tuple[list, list, list[str]]:
    """(canonical records, coverage rows, warnings) of an ASD snapshot."""
    mapping = load_mapping("asd", codebook)
    features = read_features(snapshot.path(FILE))
    rows, warnings, targets = [], [], []
    for i, feat in enumerate(features):
        country = feat["properties"]["country"]
        iso3 = res.resolve(country)
        if iso3 is None:
            raise InputError(FILE, f"unknown country {country!r}", row=f"features[{i}]",
                             field="properties.country")
        targets.append(iso3)
        for inc in feat["properties"]["incidents"]:
            where = f"features[{i}] ({country}) post_id {inc.get('post_id')}"
            rows.append(incident_record(inc, country, mapping, where, warnings))
    records = normalise_rows(rows, FILE, codebook)
    return records, coverage(records, targets, mapping, warnings), warnings


def coverage(records: list[dict], targets: list[str], mapping: dict, warnings: list[str]) -> list:
    """Every tracked actor x listed target x mapped indicator, first_year to the latest start."""
    last = max((r["start_date"] for r in records), default=None)
    if last is None:
        return []
    late = [r["id"] for r in records if r["end_date"] and r["end_date"] > last]
    if late:
        warnings.append(f"{len(late)} incident(s) end after the file's latest start date {last} "
                        f"({', '.join(late[:5])}); counted up to the coverage end")
    indicators = sorted({c for codes in mapping["tools"].values() for c in codes})
    spec = mapping["coverage"]
    note = (f"ASD Authoritarian Interference Tracker: {len(targets)} target countries, "
            f"{spec['first_year']} to {last} (latest start date in the file)")
    return [{"actor": a, "target": t, "indicator": c, "first_year": int(spec["first_year"]),
             "last_year": int(last[:4]), "last_date": last, "note": note}
            for a in spec["actors"] for t in sorted(set(targets)) for c in indicators]


def load(ctx: LoadContext, snapshot: Snapshot) -> LoadResult:
    records, cover, warnings = parse(snapshot, ctx.codebook, ctx.resolver)
    coder = load_mapping("asd", ctx.codebook)["coder"]
    return load_evidence(ctx, SOURCE, snapshot, records, cover, coder, warnings)


SOURCE = Source(
    name="asd-interference-tracker",
    title="Authoritarian Interference Tracker",
    publisher="Alliance for Securing Democracy (German Marshall Fund of the United States)",
    homepage="https://securingdemocracy.gmfus.org/authoritarian-interference-tracker/",
    licence="No licence published; the data are ASD's (attribute the Alliance for Securing "
    "Democracy). Not cleared for redistribution: sharppower stores links and codes, and "
    "shows narratives only sanitised and attributed.",
    citation="Alliance for Securing Democracy (GMF), Authoritarian Interference Tracker, "
    f"github.com/ASD-at-GMF/authoritarian_interference_tracker, data/incidents.json (commit {COMMIT[:7]}).",
    files=(SourceFile(
        FILE,
        f"https://raw.githubusercontent.com/ASD-at-GMF/authoritarian_interference_tracker/{COMMIT}/data/incidents.json",
        "asd_interference_tracker/incidents.json",
    ),),
    load=load,
    coverage="China and Russia in 40 European and North American countries, 2000-2025",
    kind="evidence",
    notes="Incidents need credible public attribution to be included; imported as accepted.",
)
