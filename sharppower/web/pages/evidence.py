"""Evidence browser (search and filter by actor, target, domain, year, status, text) and one
record's page. Records come from the evidence ledger (`sharppower.measures.evidence.ledger`);
narratives are shown only in the ledger's sanitised form (`narrative_html`)."""

from __future__ import annotations

import pandas as pd
from fastapi import APIRouter, Request, Response

from sharppower.errors import ValidationError
from sharppower.measures.evidence import disarm, ledger, stix
from sharppower.measures.evidence.records import STATUSES
from sharppower.store import Database
from sharppower.web.auth import current_user
from sharppower.web.errors import Unauthorised
from sharppower.web.lookup import check_actor, codebook, country
from sharppower.web.pages import Page
from sharppower.web.profiles import stored_page
from sharppower.web.routing import cache, page, respond, store

router = APIRouter(tags=["evidence"])
PAGE_SIZE = 50
ANONYMOUS_EXPORT = 1000  # records one STIX export may hold without a token


def _check_filters(db: Database, actor, target, domain, status) -> dict:
    out = {"actor": check_actor(actor) if actor else None,
           "target": country(db, target)["iso3"] if target else None,
           "domain": domain or None, "status": status or None}
    if domain and domain not in set(codebook().domains()["domain"]):
        raise ValidationError("domain", f"unknown domain {domain!r} (see /methodology.json)")
    if status and status not in STATUSES:
        raise ValidationError("status", f"must be one of {', '.join(STATUSES)}, not {status!r}")
    return out


def matching(db: Database, actor=None, target=None, domain=None, year=None, status=None, q=None,
             technique=None, tactic=None) -> tuple[dict, pd.DataFrame]:
    """The checked filters and the matching records, newest first."""
    filters = _check_filters(db, actor, target, domain, status)
    if year is not None and not 1900 <= year <= 2100:
        raise ValidationError("year", f"{year} is out of range (1900-2100)")
    fimi = {"technique": technique or None, "tactic": (tactic or "").upper() or None}
    frame = ledger.list_evidence(db, year=year, q=q or None, **filters, **fimi)
    frame = frame.sort_values(["start_date", "id"], ascending=[False, True])
    return {**filters, **fimi, "year": year, "q": q}, frame


def evidence_data(db: Database, actor: str | None = None, target: str | None = None,
                  domain: str | None = None, year: int | None = None, status: str | None = None,
                  q: str | None = None, offset: int = 0, limit: int = PAGE_SIZE,
                  technique: str | None = None, tactic: str | None = None) -> dict:
    """records: the ledger's list columns for one page of matches; total: all matches;
    tactics: the loaded DISARM tactics (for the filter)."""
    if offset < 0 or not 1 <= limit <= 1000:
        raise ValidationError("limit", "offset must be >= 0 and limit between 1 and 1000")
    filters, frame = matching(db, actor, target, domain, year, status, q, technique, tactic)
    records = frame.iloc[offset:offset + limit].to_dict("records")
    tactics = disarm.framework(db, kind="tactic")[["disarm_id", "name"]].to_dict("records")
    return {"filters": filters, "total": len(frame), "offset": offset,
            "limit": limit, "records": records, "statuses": list(STATUSES),
            "actors": codebook().actors, "domains": codebook().domains().to_dict("records"),
            "tactics": tactics}


@page(router, "/evidence")
def evidence_page(request: Request, actor: str | None = None, target: str | None = None,
                  domain: str | None = None, year: int | None = None, status: str | None = None,
                  q: str | None = None, offset: int = 0, limit: int = PAGE_SIZE,
                  technique: str | None = None, tactic: str | None = None):
    """Evidence records matching every filter given (newest first), one page at a time;
    `technique` and `tactic` filter by DISARM coding."""
    args = (actor, target, domain, year, status, q, offset, limit, technique, tactic)
    memo = cache(request).get  # per store version: a review or a new record empties it
    default = args == DEFAULT_ARGS
    data = memo(("evidence", *args), lambda: (default and stored_page(
        store(request), "evidence", cache(request).version(), whole=True))
        or evidence_data(store(request), *args))
    return respond(request, "evidence.html", data)


DEFAULT_ARGS = (None, None, None, None, None, None, 0, PAGE_SIZE, None, None)


def stored_pages(db: Database, memo=None) -> dict[str, dict]:
    """What the build stores for this page (`web.pages.country.store_profiles`): the first
    page without filters, stamped with the whole store version (a review or a new record
    through the API changes it)."""
    return {"evidence": evidence_data(db)}


@router.get("/evidence.stix", response_class=Response)
def evidence_stix(request: Request, actor: str | None = None, target: str | None = None,
                  domain: str | None = None, year: int | None = None, status: str | None = None,
                  q: str | None = None, technique: str | None = None, tactic: str | None = None):
    """Every record matching the filters of /evidence as one STIX 2.1 bundle (JSON). Without
    a token a bundle holds at most ANONYMOUS_EXPORT records (401 beyond: narrow the filters
    or send a token); every export counts as ten requests of the client's budget."""
    db = store(request)
    _, frame = matching(db, actor, target, domain, year, status, q, technique, tactic)
    if len(frame) > ANONYMOUS_EXPORT and current_user(request) is None:
        raise Unauthorised(f"{len(frame):,} records match: an export of more than "
                           f"{ANONYMOUS_EXPORT:,} records needs a token (send `Authorization: "
                           "Bearer <token>`), or narrow the filters (actor, target, year, ...)")
    text = stix.export_stix(db, ids=list(frame["id"]))
    return Response(text, media_type="application/json", headers={
        "Content-Disposition": 'attachment; filename="sharppower-evidence.stix.json"'})


@page(router, "/evidence/new")
def propose_page(request: Request):
    """The form to propose a record (it posts to /api/evidence with your bearer token)."""
    book = codebook()
    ind = book.indicators
    return respond(request, "propose.html", {
        "actors": book.actors, "indicators": ind[ind["source"] == "evidence"][
            ["code", "name", "domain", "layer"]].to_dict("records")})


@page(router, "/evidence/{rid}")
def record_page(request: Request, rid: str):
    """One record: sources, indicators, sanitised narrative, codings and change history."""
    return respond(request, "record.html", {"record": ledger.get_evidence(store(request), rid)})


PAGE = (Page("/evidence", "Evidence", "evidence.html", nav=40),
        Page("/evidence/new", "Propose", "propose.html", nav=100),
        Page("/evidence/{rid}", "Evidence record", "record.html"))
