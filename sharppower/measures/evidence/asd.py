"""The ASD Authoritarian Interference Tracker into the ledger: code each published incident
through `mappings/asd.yaml` (actors, tools -> indicators, publisher, confidence, status,
coder), declare the tracker's coverage and load both (`load`: its load step in STEPS of
build.py).
The connector (`sources/connectors/asd.py`) reads the published file.
"""

from __future__ import annotations

from typing import Any

from sharppower.errors import InputError
from sharppower.measures.evidence.importing import load_evidence, normalise_rows
from sharppower.measures.evidence.mapping import load_mapping
from sharppower.sources.connectors import asd
from sharppower.sources.load import LoadContext
from sharppower.sources.snapshot import Snapshot
from sharppower.steps import LoadResult


def _mapped(names: list[str], table: dict[str, Any], where: str, field: str, what: str) -> list:
    out = []
    for name in names:
        if name not in table:
            raise InputError(asd.FILE, f"{what} {name!r} has no entry in mappings/asd.yaml",
                             row=where, field=field)
        for code in table[name] if isinstance(table[name], list) else [table[name]]:
            if code not in out:
                out.append(code)
    return out


def incident_record(inc: dict[str, Any], mapping: dict[str, Any]) -> dict[str, Any]:
    """A ledger record (with `_row`) for one incident of `asd.parse`."""
    where = inc["row"]
    dates = {k: inc[k] for k in ("start_date", "start_precision", "end_date", "end_precision",
                                  "ongoing")}
    return {
        "_row": where, "id": f"asd-{inc['post_id']}", "origin": asd.SOURCE.name,
        "origin_key": str(inc["post_id"]), "target": inc["country"],
        "actors": _mapped(inc["actors"], mapping["actors"], where, "actors", "ASD actor"),
        **dates, "title": inc["title"], "narrative": inc["content"],
        "sources": [{"url": inc["link"], "publisher": mapping["publisher"]}],
        "categories": inc["tools"],
        "indicators": _mapped(inc["tools"], mapping["tools"], where, "tools", "ASD tool"),
        "confidence": mapping["confidence"], "status": mapping["status"], "coder": mapping["coder"],
        "notes": f"ASD date: {inc['date_text']}" if inc["date_text"] else None,
    }


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


def parse_records(snapshot: Snapshot, codebook, res) -> tuple[list, list, list[str]]:
    """(canonical records, coverage rows, warnings) of an ASD snapshot."""
    mapping = load_mapping("asd", codebook)
    incidents, targets, warnings = asd.parse(snapshot, res)
    records = normalise_rows([incident_record(i, mapping) for i in incidents], asd.FILE, codebook)
    return records, coverage(records, targets, mapping, warnings), warnings


def load(ctx: LoadContext, snapshot: Snapshot) -> LoadResult:
    records, cover, warnings = parse_records(snapshot, ctx.codebook, ctx.resolver)
    coder = load_mapping("asd", ctx.codebook)["coder"]
    return load_evidence(ctx, asd.SOURCE, snapshot, records, cover, coder, warnings)
