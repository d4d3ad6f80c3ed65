"""EUvsDisinfo cases -> evidence of Russian information manipulation (the measure's import).

The connector (`sources/connectors/euvsdisinfo.py`) parses the cases; this module applies
the declared rule of `mappings/euvsdisinfo.yaml`: one accepted record per case and
target country (`euvd-<12 hex of the case URL>-<ISO3>`), actor RUS, indicator
sp_info_manipulation, the case's keywords as categories, its languages and outlets in
the notes, no narrative (the case texts are not redistributed). The targets are the
case's AUDIENCE (issue 22), not the countries it mentions: the country of a language
read in one country; those of a language read in several that the case names; the
country of an outlet aimed at one (`audience_of`). Coverage: every country of a
monitored language or aimed outlet, 2015 to the last case. Records of the same
incident in ASD's tracker (same URL, or same target, close dates and similar titles) are
linked in `evidence_links` so that values count the incident once.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sharppower.codebook import Codebook
from sharppower.errors import InputError, ValidationError
from sharppower.measures.evidence import store
from sharppower.measures.evidence.importing import normalise_rows, summary_warnings
from sharppower.measures.evidence.mapping import load_mapping
from sharppower.measures.evidence.records import evidence_indicators
from sharppower.measures.evidence.sync import replace_coverage, sync_source
from sharppower.measures.evidence.tables import evidence, evidence_actors, evidence_links
from sharppower.sources.connectors.euvsdisinfo import FILE, SOURCE, parse
from sharppower.sources.load import record_source
from sharppower.steps import LoadResult

WORD = re.compile(r"[^\W\d_]{4,}")


def load_rule(codebook: Codebook) -> dict[str, Any]:
    """The declared mapping, its indicators checked against the codebook."""
    rule = load_mapping("euvsdisinfo", codebook)
    allowed = evidence_indicators(codebook)
    for code in rule.get("indicators") or []:
        if code not in allowed:
            raise ValidationError("indicators", f"{code!r} is not an evidence indicator",
                                  where="measures/evidence/mappings/euvsdisinfo.yaml")
    return rule


def targets_of(names: list[str], rule: dict[str, Any], res, row: int) -> list[str]:
    """ISO3 codes of the countries a case names (`countries`) under the declared rule."""
    skip = {n for names_ in rule["not_targets"].values() for n in names_}
    out: list[str] = []
    for name in names:
        if name in skip:
            continue
        code = rule["region_of"].get(name) or rule["aliases"].get(name) or res.resolve(name)
        if code is None or not res.known(code):
            raise InputError(FILE, f"{name!r} is neither a country nor declared in "
                             "mappings/euvsdisinfo.yaml", row=row, field="countries")
        if code != rule["actor"] and code not in out:
            out.append(code)
    return out


def outlet_name(outlet: str) -> str:
    """'Sputnik Belarus - Russian' -> 'Sputnik Belarus' (the language suffix dropped)."""
    return outlet.rsplit(" - ", 1)[0].strip() if " - " in outlet else outlet.strip()


def audience_of(case: dict[str, Any], named: list[str], rule: dict[str, Any]) -> list[str]:
    """The countries whose public a case was published for: the country of a language
    read in one country; the named ones among the countries of a language read in several;
    the country of an outlet aimed at one. Sorted; never the actor."""
    out: set[str] = set()
    for lang in case["languages"]:
        readers_ = set(rule["languages"].get(lang, []))
        out |= readers_ if len(readers_) == 1 else readers_ & set(named)
    for outlet in case["outlets"]:
        aimed = (rule.get("aimed_outlets") or {}).get(outlet_name(outlet))
        if aimed:
            out.add(aimed)
    return sorted(out - {rule["actor"]})


def case_key(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:12]


def case_rows(cases: pd.DataFrame, rule: dict[str, Any], res) -> list[dict[str, Any]]:
    """Raw records (with `_row`) of every case x target."""
    rows = []
    for case in cases.to_dict("records"):
        notes = (f"EUvsDisinfo case of {case['date']}; languages: "
                 f"{', '.join(case['languages']) or 'none given'}; outlets: "
                 f"{', '.join(case['outlets']) or 'none given'}")
        key = case_key(case["case_url"])
        named = targets_of(case["countries"], rule, res, case["source_row"])
        for target in audience_of(case, named, rule):
            rows.append({
                "_row": case["source_row"], "id": f"euvd-{key}-{target}", "origin": SOURCE.name,
                "origin_key": f"{key}|{target}", "actors": [rule["actor"]], "target": target,
                "start_date": case["date"], "start_precision": "day", "title": case["title"],
                "sources": [{"url": case["case_url"], "publisher": rule["publisher"]}],
                "categories": case["keywords"], "indicators": rule["indicators"],
                "confidence": rule["confidence"],
                "status": rule["status"], "coder": rule["coder"], "notes": notes})
    return rows


def coverage_rows(records: list[dict], cases: pd.DataFrame, rule: dict[str, Any]) -> list[dict]:
    """The countries of the monitored languages and aimed outlets (the audiences the task
    force watched), first_year to the last case."""
    if not len(cases):
        return []
    last = max(cases["date"])
    monitored = {lang for langs in cases["languages"] for lang in langs}
    by_language = {c for lang in monitored for c in rule["languages"].get(lang, [])}
    outlets = {outlet_name(o) for outs in cases["outlets"] for o in outs}
    by_outlet = {c for o, c in (rule.get("aimed_outlets") or {}).items() if o in outlets}
    note = (f"EUvsDisinfo: the audiences of {len(monitored)} monitored languages and "
            f"{len(by_outlet)} aimed outlets' countries, {rule['coverage']['first_year']} to {last}")
    return [{"actor": rule["actor"], "target": t, "indicator": code,
             "first_year": int(rule["coverage"]["first_year"]), "last_year": int(last[:4]),
             "last_date": last, "note": note}
            for t in sorted((by_language | by_outlet) - {rule["actor"]})
            for code in rule["indicators"]]


def records_for(cases: pd.DataFrame, codebook: Codebook, res) -> tuple[list, list, dict]:
    """(canonical records, coverage rows, rule) of parsed cases."""
    rule = load_rule(codebook)
    records = normalise_rows(case_rows(cases, rule, res), FILE, codebook)
    return records, coverage_rows(records, cases, rule), rule


# --- links with ASD ---------------------------------------------------------------------

def words(title: str) -> set[str]:
    return {w.lower() for w in WORD.findall(title or "")}


def _similar(a: set[str], b: set[str], threshold: float) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= threshold


def _candidates(conn: Connection, origin: str, actor: str) -> list[dict[str, Any]]:
    where = (evidence.c.origin == origin) & evidence.c.id.in_(
        sa.select(evidence_actors.c.evidence_id).where(evidence_actors.c.actor == actor))
    return store.read_records(conn, where, order=False)


def find_links(conn: Connection, records: list[dict], rule: dict[str, Any]) -> list[dict]:
    """Links from our records to records of the same incident in the other source (same
    target, and the same URL or the same event)."""
    spec = rule["links"]
    others = _candidates(conn, spec["with"], rule["actor"])
    by_url: dict[tuple[str, str], list[str]] = {}
    by_target: dict[str, list[dict]] = {}
    for o in others:
        for s in o["sources"]:
            by_url.setdefault((s["url"].rstrip("/"), o["target"]), []).append(o["id"])
        by_target.setdefault(o["target"], []).append(
            o | {"_words": words(o["title"]), "_day": pd.Timestamp(o["start_date"])})
    links = []
    for rec in records:
        url = rec["sources"][0]["url"].rstrip("/")
        same_url = by_url.get((url, rec["target"]), [])
        mine = words(rec["title"])
        day = pd.Timestamp(rec["start_date"])
        for oid in same_url:
            links.append(_link(rec["id"], oid, f"same URL {url}"))
        for o in by_target.get(rec["target"], []):
            close = abs((o["_day"] - day).days) <= spec["days"]
            if close and o["id"] not in same_url and _similar(
                    mine, o["_words"], spec["title_overlap"]):
                links.append(_link(rec["id"], o["id"], f"same event: target {rec['target']}, "
                                   f"{rec['start_date']} and {o['start_date']}, similar titles"))
    return links


def _link(rid: str, other: str, reason: str) -> dict[str, Any]:
    return {"evidence_id": rid, "linked_id": other, "relation": "same_incident",
            "reason": reason, "origin": SOURCE.name}


def replace_links(conn: Connection, links: list[dict]) -> int:
    conn.execute(sa.delete(evidence_links).where(evidence_links.c.origin == SOURCE.name))
    if links:
        conn.execute(evidence_links.insert(), links)
    return len(links)


def load(ctx, snapshot) -> LoadResult:
    """Loader of the `euvsdisinfo` source: validate every case, then one transaction that
    syncs the records, declares the coverage, links ASD duplicates, records the source."""
    cases = parse(snapshot)
    records, cover, rule = records_for(cases, ctx.codebook, ctx.resolver)
    layers = evidence_indicators(ctx.codebook)
    with ctx.db.begin() as conn:
        summary = sync_source(conn, SOURCE.name, records, rule["coder"], layers)
        replace_coverage(conn, SOURCE.name, cover)
        links = replace_links(conn, find_links(conn, records, rule))
        record_source(conn, SOURCE, snapshot, len(records))
    untargeted = len(cases) - len({r["sources"][0]["url"] for r in records})
    notes = summary_warnings(summary) + [
        (f"{len(cases)} cases -> {len(records)} case x audience records; {untargeted} cases "
         "reach no monitored audience (no language or outlet of one, or a language read in "
         "several countries without naming one of them): not imported"),
        f"{links} record(s) linked to the same incident in {rule['links']['with']}"]
    years = sorted(int(r["start_date"][:4]) for r in records)
    return LoadResult(SOURCE.name, "loaded", len(records), len({r["target"] for r in records}),
                      (years[0], years[-1]) if years else None, notes)
