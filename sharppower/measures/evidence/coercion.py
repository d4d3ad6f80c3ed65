"""The coercion cases into the ledger: each case of the published table (connector
`sources/connectors/coercion.py`) becomes an accepted record for actor CHN coded through
`mappings/coercion.yaml` (economic coercion). Identical rows are separate cases: ids are
`coercion-<ISO3>-<year>-<category>-<n>` with n counting identical rows in file order.
"European Union" is not a country: skipped with a warning (`skip_countries`).
"""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd

from sharppower.errors import InputError
from sharppower.measures.evidence.importing import load_evidence, normalise_rows
from sharppower.measures.evidence.mapping import load_mapping
from sharppower.sources.connectors.coercion import FILE, SOURCE, parse
from sharppower.sources.load import LoadContext
from sharppower.sources.snapshot import Snapshot
from sharppower.steps import LoadResult

PROVENANCE = ("Provenance uncertain: the file appears to be ASPI's coercive-diplomacy data "
              "(Hanson, Currey & Beattie 2020) but its origin is undocumented.")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def case_rows(df: pd.DataFrame, mapping: dict, res, warnings: list[str]) -> list[dict]:
    skip = set(mapping.get("skip_countries") or [])
    seen: Counter = Counter()
    rows = []
    for i, case in enumerate(df.itertuples(index=False)):
        row = i + 2
        if case.Country in skip:
            warnings.append(f"{FILE}, row {row}: {case.Country!r} is not a country; case skipped")
            continue
        iso3 = res.resolve(case.Country)
        if iso3 is None:
            raise InputError(FILE, f"unknown country {case.Country!r}", row=row, field="Country")
        if not re.fullmatch(r"\d{4}", case.Year):
            raise InputError(FILE, f"not a year: {case.Year!r}", row=row, field="Year")
        if case.Category not in mapping["categories"]:
            raise InputError(FILE, f"category {case.Category!r} has no entry in "
                             "mappings/coercion.yaml", row=row, field="Category")
        key = (iso3, case.Year, slug(case.Category))
        seen[key] += 1
        rows.append(_record(case, iso3, key, seen[key], row, mapping, res))
    return rows


def _record(case, iso3: str, key: tuple, n: int, row: int, mapping: dict, res) -> dict:
    return {
        "_row": row, "id": f"coercion-{iso3}-{case.Year}-{key[2]}-{n}", "origin": SOURCE.name,
        "origin_key": f"{iso3}-{case.Year}-{key[2]}-{n}", "actors": [mapping["actor"]],
        "target": iso3, "start_date": case.Year, "start_precision": "year",
        "end_date": case.Year, "end_precision": "year",
        "title": f"{case.Category}: Chinese coercion against the government of "
                 f"{res.name(iso3)} ({case.Year})",
        "narrative": None,
        "sources": [{"url": mapping["source_url"], "publisher": mapping["publisher"]}],
        "categories": [case.Category], "indicators": mapping["categories"][case.Category],
        "confidence": mapping["confidence"], "status": mapping["status"], "coder": mapping["coder"],
        "notes": f"{FILE} row {row} ({case.Country}). {PROVENANCE}",
    }


def coverage(records: list[dict], mapping: dict) -> list[dict]:
    spec = mapping["coverage"]
    note = ("Coercion cases 2010-2020: only the countries the file lists (the compilers' "
            "search scope is unknown). " + PROVENANCE)
    return [{"actor": mapping["actor"], "target": t, "indicator": c,
             "first_year": int(spec["first_year"]), "last_year": int(spec["last_year"]),
             "last_date": f"{int(spec['last_year'])}-12-31", "note": note}
            for t in sorted({r["target"] for r in records}) for c in spec["indicators"]]


def load(ctx: LoadContext, snapshot: Snapshot) -> LoadResult:
    mapping = load_mapping("coercion", ctx.codebook)
    warnings: list[str] = []
    rows = case_rows(parse(snapshot), mapping, ctx.resolver, warnings)
    records = normalise_rows(rows, FILE, ctx.codebook)
    return load_evidence(ctx, SOURCE, snapshot, records, coverage(records, mapping),
                         mapping["coder"], warnings)
