"""Methodology for a reader: how scores are normalised, weighted, combined and how
uncertain they are, the structure as a diagram, each component with its source and
coverage, the latent measurement model of the pressure pillar with its diagnostics, the
validity figures and each actor's components; generated from the index specification and
the store (`sharppower.analysis.methodology`), never from hand-kept text. What reads the
store is computed once per store version (the app's cache)."""

from __future__ import annotations

import pandas as pd
from fastapi import APIRouter, Request

from sharppower.analysis import methodology as method
from sharppower.analysis.validity import internal_view
from sharppower.errors import NotFound
from sharppower.index import load_spec
from sharppower.index.components import components_by_actor, domains_by_actor, why_lacking
from sharppower.index.names import component_names, source_name
from sharppower.index.nodes import run_nodes
from sharppower.index.scales import SCALE_NOTE
from sharppower.measures.evidence import disarm
from sharppower.store import Database
from sharppower.web.actorscores import year_choice
from sharppower.web.lookup import check_actor, codebook
from sharppower.web.memo import Memo, no_memo
from sharppower.web.pages import Page
from sharppower.web.profiles import stored_page
from sharppower.web.routing import cache, page, respond, store

router = APIRouter(tags=["methodology"])


def disarm_names(db: Database | None) -> dict[str, str]:
    """DISARM id -> name from the framework loaded in the store (empty without one)."""
    if db is None:
        return {}
    frame = disarm.framework(db)
    return dict(zip(frame["disarm_id"], frame["name"]))


def _with_disarm(rows: list[dict], mapping: dict, names: dict[str, str]) -> list[dict]:
    """Each indicator row with `disarm`: its declared tactics and techniques (id, name)."""
    for row in rows:
        spec = mapping.get(row["code"])
        row["disarm"] = None if spec is None else {
            kind: [{"id": i, "name": names.get(i, "")} for i in spec[kind]]
            for kind in ("tactics", "techniques")}
    return rows


def methodology_data(db: Database | None = None, memo: Memo = no_memo,
                     actor: str | None = None) -> dict:
    """The method for a reader, generated from the index specification and the store:
    `spec` (name, description), `structure` (pillars -> domains -> indicators with sources
    and each actor's coverage: targets x years), `steps` (how a score is made),
    `uncertainty` (what the Monte Carlo analysis varies), `latent` (the pressure pillar's
    measurement model and its fits' diagnostics), `latent_validation` (the stored
    leave-one-source-out table, None before `validate --internal`), `validity` (the
    internal view of the stored run for `actor`, default the first declared: one actor
    per load keeps the page fast), `components` (each actor's components and why it
    lacks the others) and `pillars` (every codebook indicator with its DISARM mapping;
    `in_index`: whether the current specification uses it)."""
    spec = load_spec()
    book = codebook()
    used = {c for domains in spec.pillars.values() for codes in domains.values() for c in codes}
    ind = book.indicators
    mapping, names = disarm.codebook_mapping(book), disarm_names(db)
    pillars = []
    for code, pspec in book.pillars.items():
        domains = []
        for dcode, dname in pspec["domains"].items():
            rows = _with_disarm(ind[ind["domain"] == dcode].drop(columns=["actors"]).to_dict(
                "records"), mapping, names)
            for row in rows:
                row["in_index"] = row["code"] in used
                row["source_name"] = source_name(str(row.get("source") or ""))
            domains.append({"code": dcode, "name": dname, "indicators": rows})
        pillars.append({"code": code, "name": pspec.get("name", code),
                        "description": pspec.get("description", ""), "domains": domains})
    store_part = (memo(("methodology_store",), lambda: store_parts(db, spec))
                  if db is not None else store_parts(None, spec))
    actor = check_actor(actor)
    validity = memo(("methodology_validity", actor),
                    lambda: validity_views(db, [actor], spec, memo))
    return {"codebook_version": book.version, "actors": book.actors,
            "validity_actor": actor, "validity": validity,
            "spec": {"name": spec.name, "description": spec.description},
            "steps": method.steps(spec), "scale_note": SCALE_NOTE,
            "pillars": pillars, **store_part}


def store_parts(db: Database | None, spec) -> dict:
    """What the methodology page reads from the store (computed once per store version):
    structure with coverage, uncertainty with the stored run's Monte Carlo runs, latent fits,
    leave-one-source-out table, internal validity, each actor's components."""
    runs = None
    structure = method.structure(spec)
    if db is not None:
        run = latest_run(db)
        runs = run.get("mc_runs") if run else None
        codes = {i["code"] for p in structure for d in p["domains"] for i in d["indicators"]}
        cov = method.coverage(db, codes | {c for parts in spec.derived.values() for c in parts})
        by = {}
        for r in cov.to_dict("records"):
            r["actor"] = r["actor"] if isinstance(r["actor"], str) else None  # target-only
            by.setdefault(r["indicator"], []).append(r)
        order = {a: i for i, a in enumerate(codebook().actors)}
        for pillar in structure:
            for domain in pillar["domains"]:
                for i in domain["indicators"]:
                    parts = list(spec.derived.get(i["code"], ())) or [i["code"]]
                    rows = by.get(parts[0], [])
                    i["coverage"] = sorted(
                        ({"actor": r["actor"], "targets": int(r["targets"]),
                          "years": int(r["years"]), "first_year": int(r["first_year"]),
                          "last_year": int(r["last_year"])} for r in rows
                         if r["actor"] is None or r["actor"] in order),
                        key=lambda r: order.get(r["actor"], -1))
    return {"structure": structure, "uncertainty": method.uncertainty(spec, runs),
            "latent": method.latent(db, spec), "latent_validation": loso_table(db),
            "components": actor_components(db), "measurement": measurement_view(db)}


def measurement_view(db: Database | None) -> dict:
    """Which method scores which node in the stored run (the run summary's `measurement`:
    the latent pillars and the indices computed from their draws, in words, and the fits'
    diagnostics); {} without a run or without a latent pillar."""
    from sharppower.errors import NotFound
    from sharppower.index.store import latest_run

    if db is None:
        return {}
    try:
        summary = latest_run(db)["summary"]
    except NotFound:
        return {}
    if "measurement" not in summary:
        return {}
    return {**summary["measurement"], "fits": summary.get("latent", []),
            "notes": summary.get("latent_notes", [])}


def latest_run(db: Database) -> dict | None:
    """The stored run's row (None before any run)."""
    from sharppower.index.store import latest_run as stored_run

    try:
        return stored_run(db)
    except NotFound:
        return None


def loso_table(db: Database | None) -> list[dict] | None:
    """The stored leave-one-source-out rows (actor, pillar, source, source_name,
    indicator, name, spearman, n), None when none is stored."""
    if db is None:
        return None
    from sharppower.index.latent.store import read_validation

    frame = read_validation(db)
    if frame.empty:
        return None
    names = component_names()
    frame = frame.assign(source_name=frame["source"].map(source_name),
                         indicator_name=frame["indicator"].map(lambda c: names.get(c, c)))
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def actor_components(db: Database | None) -> list[dict]:
    """Per declared actor: the components its index rests on (`index.components.domains_by_actor`:
    per domain, the indicators that entered the stored run, with their sources) and, for
    each indicator of the domain it lacks, why: an actor-specific source that measures
    other actors only, or no data for this actor in the stored run."""
    book = codebook()
    nodes = {n["node"]: n for n in run_nodes(db)}
    table = _domains(db, book, nodes)
    derived = dict(load_spec().derived)
    names = component_names()
    out = []
    for actor, rows in table.groupby("actor", sort=False):
        domains = []
        for r in rows.to_dict("records"):
            lacking = [c for c in nodes[r["domain"]]["children"] if c not in r["indicators"]]
            domains.append({**r, "label": nodes[r["domain"]]["label"],
                            "pillar_name": names.get(r["pillar"], r["pillar"]),
                            "indicator_names": [names.get(c, c) for c in r["indicators"]],
                            "source_names": [source_name(x) for x in r["sources"]],
                            "lacking": [{"code": c, "name": names.get(c, c),
                                         "why": why_lacking(book, c, actor, derived)}
                                        for c in lacking]})
        info = book.actor_info[actor]
        out.append({"actor": actor, "name": info.name, "kind": info.kind,
                    "colour": info.colour, "domains": domains,
                    "with_components": sum(1 for d in domains if d["indicators"])})
    return out


def _domains(db: Database | None, book, nodes: dict) -> pd.DataFrame:
    """`index.components.domains_by_actor`, read from the stored run's indicator summary
    (`components_by_actor`: indicators with observed values) instead of every domain
    score: the same rows, in milliseconds instead of seconds."""
    if db is None:
        return domains_by_actor(db, book)
    try:
        comps = components_by_actor(db, codebook=book)
    except NotFound:
        return domains_by_actor(db, book)
    have = {(r["actor"], r["domain"]): r for r in comps.to_dict("records")}
    rows = []
    for actor in book.actors:
        for n in nodes.values():
            if n["level"] != "domain":
                continue
            found = have.get((actor, n["node"]))
            codes = [c for c in n["children"] if found and c in found["indicators"]]
            rows.append({"actor": actor, "pillar": n.get("parent"), "domain": n["node"],
                         "indicators": codes, "sources": found["sources"] if codes else []})
    return pd.DataFrame(rows, columns=["actor", "pillar", "domain", "indicators", "sources"])


def validity_views(db: Database | None, actors: list[str] | None = None,
                   spec=None, memo: Memo = no_memo) -> list[dict]:
    """Per actor (default: every declared one), the internal view of the stored run in its
    default year (each component's correlation with its pillar and the index, share of
    targets scored); empty without a run."""
    if db is None:
        return []
    spec = spec or load_spec()
    names = component_names()
    out = []
    for actor in actors or list(codebook().actors):
        year = year_choice(db, memo, actor).year  # `index.nodes.default_year`, shared
        if year is None:
            continue
        try:
            view = internal_view(db, actor, year, spec)
        except NotFound:
            continue
        view = view.round(3).astype(object)
        rows = view.where(view.notna(), None).to_dict("records")
        for r in rows:
            r["name"] = names.get(r["node"], r["node"])
            r["parent_name"] = names.get(r["parent"], r["parent"]) if r["parent"] else None
        out.append({"actor": actor, "year": year, "rows": rows})
    return out


@page(router, "/methodology")
def methodology_page(request: Request, actor: str | None = None):
    """The measurement framework and the index method, generated from their specifications
    (`actor`: whose internal validity view is shown, default the first declared)."""
    memo = cache(request).get
    key = ("methodology_page", actor)
    data = memo(key, lambda: (actor is None and stored_page(
        store(request), "methodology", cache(request).version(), whole=True))
        or methodology_data(store(request), memo, actor))
    return respond(request, "methodology.html", data, key=key)


def stored_pages(db: Database, memo: Memo) -> dict[str, dict]:
    """What the build stores for this page (`web.pages.country.store_pages`): its data for
    the default actor, stamped with the whole store version (a validation run or a latent
    fit stored between builds changes what it shows)."""
    return {"methodology": methodology_data(db, memo)}


PAGE = Page("/methodology", "Methodology", "methodology.html", nav=70, in_report=True,
            data=methodology_data)
