"""One evidence record: normalise a raw mapping (CLI options, JSON/YAML/CSV row, API body)
into the canonical dict, or raise a ValidationError naming the field. Nothing is stored here.

Canonical fields (`FIELDS`): id, actors (list of ISO3), target (ISO3), start_date,
start_precision, end_date, end_precision, ongoing, title, narrative, sources (list of
{url, publisher}), categories (list), indicators (list of codebook codes), techniques
(list of DISARM technique ids; their form is checked here, their existence in the loaded
framework by the store, see disarm.py), confidence, status, coder, origin, origin_key,
withdrawn_from_source, notes.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import urlparse

from sharppower.codebook import Codebook, load_codebook
from sharppower.countries import resolver
from sharppower.errors import ValidationError
from sharppower.measures.evidence.dates import DateProblem, parse_partial
from sharppower.measures.evidence.disarm import technique_ids

STATUSES = ("proposed", "accepted", "rejected")
CONFIDENCES = ("low", "medium", "high")
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,119}$")
FIELDS = ("id", "actors", "target", "start_date", "start_precision", "end_date", "end_precision",
          "ongoing", "title", "narrative", "sources", "categories", "indicators", "techniques",
          "confidence", "status", "coder", "origin", "origin_key", "withdrawn_from_source", "notes")
LIST_FIELDS = ("actors", "sources", "categories", "indicators", "techniques")
# Longest text a field may hold (characters); longer is a ValidationError naming the field.
LIMITS = {"title": 500, "narrative": 200_000, "notes": 20_000, "publisher": 500, "url": 2_000,
          "coder": 120, "category": 500}
TRUE = {"true", "yes", "1", "y", "t"}
FALSE = {"false", "no", "0", "n", "f", ""}


@lru_cache(maxsize=1)
def default_codebook() -> Codebook:
    """The packaged codebook, read once (pass a Codebook explicitly to use another)."""
    return load_codebook()


def new_id() -> str:
    return f"ev-{uuid.uuid4().hex[:12]}"


def evidence_indicators(codebook: Codebook) -> dict[str, str]:
    """Codes the ledger may assign (codebook indicators whose source is `evidence`, not
    derived from others) -> layer."""
    return dict(codebook.evidence_codes)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip())


def as_list(value: Any, field: str) -> list:
    """Lists arrive as lists, JSON text, or comma/semicolon-separated text."""
    if _blank(value):
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                return list(json.loads(text))
            except json.JSONDecodeError as exc:
                raise ValidationError(field, f"not a JSON list: {exc}") from None
        return [p.strip() for p in re.split(r"[;,]", text) if p.strip()]
    raise ValidationError(field, f"expected a list, not {type(value).__name__}")


def as_bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if _blank(value):
        return False
    text = str(value).strip().lower()
    if text in TRUE or text in FALSE:
        return text in TRUE
    raise ValidationError(field, f"expected true or false, not {value!r}")


def _choice(value: Any, field: str, allowed: tuple[str, ...], default: str) -> str:
    text = default if _blank(value) else str(value).strip().lower()
    if text not in allowed:
        raise ValidationError(field, f"must be one of {', '.join(allowed)}, not {value!r}")
    return text


def _text(value: Any, field: str = "value") -> str | None:
    if isinstance(value, (dict, list, tuple, set)):
        raise ValidationError(field, f"expected text, not a {type(value).__name__}")
    return None if _blank(value) else str(value)


def check_no_nul(record: Mapping[str, Any]) -> None:
    """No text of the record holds a NUL character (PostgreSQL cannot store one; on SQLite
    it would cut the text short in most readers)."""
    def bad(value: Any) -> bool:
        if isinstance(value, str):
            return "\x00" in value
        if isinstance(value, Mapping):
            return any(bad(k) or bad(v) for k, v in value.items())
        if isinstance(value, (list, tuple)):
            return any(bad(v) for v in value)
        return False
    for name, value in record.items():
        if bad(value):
            raise ValidationError(name, "contains a NUL character (\\x00); remove it")


def limited(value: str | None, field: str, limit_of: str | None = None) -> str | None:
    """`value` unless it is longer than LIMITS[limit_of or field] characters."""
    limit = LIMITS[limit_of or field]
    if value is not None and len(value) > limit:
        raise ValidationError(field, f"longer than {limit:,} characters ({len(value):,})")
    return value


def check_years(record: dict[str, Any], codebook: Codebook) -> None:
    """Start and end dates fall in the codebook's plausible years."""
    first, last = codebook.years
    for field in ("start_date", "end_date"):
        value = record.get(field)
        if value and not first <= int(value[:4]) <= last:
            raise ValidationError(field, f"year {value[:4]} is not plausible (the codebook "
                                  f"allows {first} to {last})")


def check_url(url: Any, field: str) -> str:
    if _blank(url):
        raise ValidationError(field, "a source URL is required")
    text = limited(str(url).strip(), field, "url")
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in text or "." not in parsed.netloc:
        raise ValidationError(field, f"not a valid http(s) URL: {text!r}")
    return text


def _sources(raw: Mapping[str, Any]) -> list[dict[str, str]]:
    items = as_list(raw.get("sources"), "sources")
    if not items and not _blank(raw.get("source_url")):
        items = [{"url": raw.get("source_url"), "publisher": raw.get("publisher")}]
    if not items:
        raise ValidationError("sources", "at least one source URL is required")
    out = []
    for i, item in enumerate(items):
        item = item if isinstance(item, Mapping) else {"url": item}
        url = check_url(item.get("url"), f"sources[{i}].url")
        publisher = _text(item.get("publisher"), f"sources[{i}].publisher") or urlparse(url).netloc
        out.append({"url": url, "publisher": limited(publisher.strip(), f"sources[{i}].publisher",
                                                     "publisher")})
    return out


def _actors(raw: Mapping[str, Any], codebook: Codebook) -> list[str]:
    actors = [str(a).strip().upper() for a in as_list(raw.get("actors", raw.get("actor")), "actors")]
    if not actors:
        raise ValidationError("actors", "at least one actor is required")
    res = resolver()
    out = []
    for a in actors:
        code = a if a in codebook.actors else res.resolve(a)
        if code not in codebook.actors:
            raise ValidationError("actors", f"{a!r} is not an actor of the codebook "
                                  f"({', '.join(codebook.actors)})")
        if code not in out:
            out.append(code)
    return out


def _target(value: Any) -> str:
    if _blank(value):
        raise ValidationError("target", "a target country is required")
    res = resolver()
    text = str(value).strip()
    code = text.upper() if res.known(text.upper()) else res.resolve(text)
    if code is None or not res.known(code):
        raise ValidationError("target", f"unknown country {text!r}")
    return code


def check_indicators(raw: Mapping[str, Any], codebook: Codebook) -> list[str]:
    allowed = evidence_indicators(codebook)
    out: list[str] = []
    for item in as_list(raw.get("indicators"), "indicators"):
        code = str(item.get("code") if isinstance(item, Mapping) else item).strip()
        if code not in allowed:
            known = "an indicator of another source" if codebook.has_indicator(code) else "unknown"
            raise ValidationError("indicators", f"{code!r} is {known}; evidence codes: "
                                  f"{', '.join(allowed)}")
        if isinstance(item, Mapping) and item.get("layer") not in (None, allowed[code]):
            raise ValidationError("indicators", f"{code} is a {allowed[code]} indicator in the "
                                  f"codebook, not {item['layer']!r}")
        if code not in out:
            out.append(code)
    return out


def _dates(raw: Mapping[str, Any]) -> dict[str, Any]:
    if _blank(raw.get("start_date")):
        raise ValidationError("start_date", "a start date is required")
    try:
        start, sp = parse_partial(raw["start_date"], _text(raw.get("start_precision"), "start_precision"))
    except DateProblem as exc:
        raise ValidationError("start_date", str(exc)) from None
    end_raw = raw.get("end_date")
    ongoing = as_bool(raw.get("ongoing"), "ongoing") or (
        isinstance(end_raw, str) and end_raw.strip().lower() == "ongoing")
    end, ep = None, None
    if ongoing and not _blank(end_raw) and str(end_raw).strip().lower() != "ongoing":
        raise ValidationError("end_date", "an ongoing incident has no end date")
    if not ongoing and not _blank(end_raw):
        try:
            end, ep = parse_partial(end_raw, _text(raw.get("end_precision"), "end_precision"), end=True)
        except DateProblem as exc:
            raise ValidationError("end_date", str(exc)) from None
        if end < start:
            raise ValidationError("end_date", f"ends ({end}) before it starts ({start})")
    return {"start_date": start, "start_precision": sp, "end_date": end,
            "end_precision": ep, "ongoing": ongoing}


def normalise(raw: Mapping[str, Any], codebook: Codebook | None = None,
              default_status: str = "proposed") -> dict[str, Any]:
    """The canonical record for `raw`, or ValidationError naming the first bad field."""
    codebook = codebook or default_codebook()
    rid = _text(raw.get("id"), "id") or new_id()
    if not ID_PATTERN.match(rid.strip()):
        raise ValidationError("id", f"ids use letters, digits and . _ : - (at most 120): {rid!r}")
    title = limited(_text(raw.get("title"), "title"), "title")
    if title is None or not title.strip():
        raise ValidationError("title", "a title is required")
    coder = limited(_text(raw.get("coder"), "coder"), "coder")
    if coder is None:
        raise ValidationError("coder", "the coder's name is required")
    record = {
        "id": rid.strip(), "actors": _actors(raw, codebook), "target": _target(raw.get("target")),
        **_dates(raw), "title": title.strip(), "narrative": limited(_text(raw.get("narrative"), "narrative"), "narrative"),
        "sources": _sources(raw),
        "categories": [limited(str(c).strip(), "categories", "category")
                       for c in as_list(raw.get("categories"), "categories")],
        "indicators": check_indicators(raw, codebook),
        "techniques": technique_ids(as_list(raw.get("techniques"), "techniques")),
        "confidence": _choice(raw.get("confidence"), "confidence", CONFIDENCES, "medium"),
        "status": _choice(raw.get("status"), "status", STATUSES, default_status),
        "coder": coder.strip(), "origin": _text(raw.get("origin"), "origin") or "manual",
        "origin_key": _text(raw.get("origin_key"), "origin_key"),
        "withdrawn_from_source": as_bool(raw.get("withdrawn_from_source"), "withdrawn_from_source"),
        "notes": limited(_text(raw.get("notes"), "notes"), "notes"),
    }
    check_years(record, codebook)
    check_no_nul(record)
    return record
