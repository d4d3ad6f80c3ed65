"""Alliance for Securing Democracy, Authoritarian Interference Tracker: the published incidents.

The published file (`data/incidents.json` of ASD-at-GMF/authoritarian_interference_tracker)
is a GeoJSON FeatureCollection with one Feature per target country (English name in
`properties.country`) and its incidents in `properties.incidents`: post_id, title, HTML
`content`, `date_text`, `start_date` / `end_date` (["YYYYMMDD"], [""] when open), link,
tools, actors. `parse` returns the incidents as plain records; the evidence ledger
(`sharppower.measures.evidence.asd`) codes each as an accepted record `asd-<post_id>`
through its declared mapping `measures/evidence/mappings/asd.yaml` and loads them.

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
from sharppower.sources.base import Source, SourceFile, Universe
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


def incident(inc: dict[str, Any], country: str, where: str, warnings: list[str]) -> dict[str, Any]:
    """One incident as published: post_id, country (name), title, content (HTML), link,
    date_text, tools and actors (names), and the dates read by `incident_dates`."""
    return {
        "row": where, "post_id": inc.get("post_id"), "country": country,
        "title": inc.get("title"), "content": inc.get("content"), "link": inc.get("link"),
        "date_text": str(inc.get("date_text") or "").strip(),
        "tools": [t.get("name") for t in inc.get("tools") or []],
        "actors": [a.get("name") for a in inc.get("actors") or []],
        **incident_dates(inc, where, warnings),
    }


def parse(snapshot: Snapshot, res) -> tuple[list[dict], list[str], list[str]]:
    """(incidents, ISO3 of every listed country, warnings) of an ASD snapshot."""
    features = read_features(snapshot.path(FILE))
    incidents, warnings, targets = [], [], []
    for i, feat in enumerate(features):
        country = feat["properties"]["country"]
        iso3 = res.resolve(country)
        if iso3 is None:
            raise InputError(FILE, f"unknown country {country!r}", row=f"features[{i}]",
                             field="properties.country")
        targets.append(iso3)
        for inc in feat["properties"]["incidents"]:
            where = f"features[{i}] ({country}) post_id {inc.get('post_id')}"
            incidents.append(incident(inc, country, where, warnings))
    return incidents, targets, warnings


# The 40 countries of the tracker's map (properties.country of incidents.json): its universe.
ASD_COUNTRIES = ("ALB", "AUT", "BLR", "BEL", "BIH", "BGR", "CAN", "HRV", "CYP", "CZE", "DNK",
                 "EST", "FIN", "FRA", "GEO", "DEU", "GRC", "HUN", "IRL", "ITA", "XKX", "LVA",
                 "LTU", "MKD", "MDA", "MNE", "NLD", "NOR", "POL", "ROU", "SRB", "SVK", "SVN",
                 "ESP", "SWE", "CHE", "TUR", "UKR", "GBR", "USA")


SOURCE = Source(
    name="asd-interference-tracker",
    universe=Universe(years=(2000, 2025), targets=ASD_COUNTRIES, note="the tracker covers 40 European and North American countries (its map), 2000-2025; every other country is outside it"),
    actors=("CHN", "RUS"),
    title="Authoritarian Interference Tracker",
    publisher="Alliance for Securing Democracy (German Marshall Fund of the United States)",
    homepage="https://securingdemocracy.gmfus.org/authoritarian-interference-tracker/",
    licence="No licence published; the data are ASD's (attribute the Alliance for Securing "
    "Democracy). Not cleared for redistribution: sharppower stores links and codes, and "
    "shows narratives only sanitised and attributed.",
    redistribute=('observations', 'records'),
    citation="Alliance for Securing Democracy (GMF), Authoritarian Interference Tracker, "
    f"github.com/ASD-at-GMF/authoritarian_interference_tracker, data/incidents.json (commit {COMMIT[:7]}).",
    files=(SourceFile(
        FILE,
        f"https://raw.githubusercontent.com/ASD-at-GMF/authoritarian_interference_tracker/{COMMIT}/data/incidents.json",
        "asd_interference_tracker/incidents.json",
        format="json", derive="the JSON as published",
        checked="GitHub raw URL pinned to a full commit; not fetched from here (no network)",
    ),),
    parse=parse,
    coverage="China and Russia in 40 European and North American countries, 2000-2025",
    kind="evidence",
    notes="Incidents need credible public attribution to be included; imported as accepted.",
)
