"""How records leave the library: the columns of `list_evidence` and `get_evidence`.

The raw narrative never leaves through these views except as `narrative` in
`get_evidence` (documented as raw, for editing and export); pages and JSON fields meant
for HTML use `narrative_html` (sanitised) or `narrative_text` (plain, escape it).
"""

from __future__ import annotations

from typing import Any

from sharppower.codebook import Codebook
from sharppower.countries import resolver
from sharppower.measures.evidence.dates import display
from sharppower.measures.evidence.records import evidence_indicators
from sharppower.measures.evidence.sanitise import narrative_html, narrative_text
from sharppower.measures.evidence.store import iso

LIST_COLUMNS = [
    "id", "actors", "target", "target_name", "start_date", "start_precision", "end_date",
    "end_precision", "ongoing", "period", "title", "narrative_html", "narrative_text",
    "sources", "link", "publisher", "categories", "indicators", "layers", "techniques",
    "confidence",
    "status", "coder", "reviewed_by", "origin", "origin_key", "withdrawn_from_source",
    "created_at", "updated_at",
]


def period(rec: dict[str, Any]) -> str:
    """Human-readable span: '2015 - ongoing', '2017-03-05', '2015 - 2019'."""
    start = display(rec["start_date"], rec["start_precision"])
    if rec["ongoing"]:
        return f"{start} - ongoing"
    end = display(rec["end_date"], rec["end_precision"])
    return start if not end or end == start else f"{start} - {end}"


def view(rec: dict[str, Any], codebook: Codebook, raw: bool = False,
         layers: dict[str, str] | None = None) -> dict[str, Any]:
    """A record as the API shows it (columns LIST_COLUMNS; plus `narrative` when raw).
    `layers` (code -> layer) may be passed to save looking it up per record."""
    layers = layers if layers is not None else evidence_indicators(codebook)
    out = {
        "id": rec["id"], "actors": list(rec["actors"]), "target": rec["target"],
        "target_name": resolver().name(rec["target"]),
        "start_date": rec["start_date"], "start_precision": rec["start_precision"],
        "end_date": rec["end_date"], "end_precision": rec["end_precision"],
        "ongoing": rec["ongoing"], "period": period(rec), "title": rec["title"],
        "narrative_html": narrative_html(rec["narrative"]),
        "narrative_text": narrative_text(rec["narrative"]),
        "sources": [dict(s) for s in rec["sources"]],
        "link": rec["sources"][0]["url"] if rec["sources"] else None,
        "publisher": rec["sources"][0]["publisher"] if rec["sources"] else None,
        "categories": list(rec["categories"]), "indicators": list(rec["indicators"]),
        "layers": [layers.get(c, "") for c in rec["indicators"]],
        "techniques": list(rec.get("techniques") or []),
        "confidence": rec["confidence"], "status": rec["status"], "coder": rec["coder"],
        "reviewed_by": rec.get("reviewed_by"), "origin": rec["origin"],
        "origin_key": rec["origin_key"], "withdrawn_from_source": rec["withdrawn_from_source"],
        "created_at": iso(rec.get("created_at")), "updated_at": iso(rec.get("updated_at")),
    }
    if raw:
        out["narrative"] = rec["narrative"]
        out["notes"] = rec.get("notes")
        out["reviewed_at"] = iso(rec.get("reviewed_at"))
        out["codings"] = {k: list(v) for k, v in (rec.get("codings") or {}).items()}
    return out
