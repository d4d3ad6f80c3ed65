"""Methodology: generated from the codebook (pillars, domains, layers, indicators) and the
index specification (stages and the method each uses)."""

from __future__ import annotations

from importlib import resources

import yaml
from fastapi import APIRouter, Request

from sharppower.analysis.validity import internal_view
from sharppower.errors import NotFound
from sharppower.index.components import domains_by_actor, why_lacking
from sharppower.index.nodes import default_year, run_nodes
from sharppower.measures.evidence import disarm
from sharppower.store import Database
from sharppower.web.lookup import codebook
from sharppower.web.pages import Page
from sharppower.web.routing import page, respond, store

router = APIRouter(tags=["methodology"])


def index_specs() -> list[dict]:
    """Every index specification shipped in sharppower/specs (name and parsed content)."""
    specs = []
    folder = resources.files("sharppower").joinpath("specs")
    for item in sorted(folder.iterdir(), key=lambda p: p.name) if folder.is_dir() else []:
        if item.name.endswith((".yaml", ".yml")):
            specs.append({"name": item.name, "spec": yaml.safe_load(item.read_text("utf-8"))})
    return specs


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


def methodology_data(db: Database | None = None) -> dict:
    """The codebook (each sharp-power indicator with its DISARM tactics and techniques,
    named from the framework in `db` when loaded), the index specifications, the internal
    validity of the stored run and the components each actor has (and why it lacks the
    others)."""
    book = codebook()
    ind = book.indicators
    mapping, names = disarm.codebook_mapping(book), disarm_names(db)
    pillars = []
    for code, spec in book.pillars.items():
        domains = []
        for dcode, dname in spec["domains"].items():
            rows = _with_disarm(ind[ind["domain"] == dcode].drop(columns=["actors"]).to_dict(
                "records"), mapping, names)
            domains.append({"code": dcode, "name": dname, "indicators": rows})
        pillars.append({"code": code, "name": spec.get("name", code),
                        "description": spec.get("description", ""), "domains": domains})
    return {"codebook_version": book.version, "actors": book.actors, "layers": book.layers,
            "pillars": pillars, "index_specs": index_specs(), "validity": validity_views(db),
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


def actor_components(db: Database | None) -> list[dict]:
    """Per declared actor: the components its index rests on (`index.components.domains_by_actor`:
    per domain, the indicators that entered the stored run, with their sources) and, for
    each indicator of the domain it lacks, why: an actor-specific source that measures
    other actors only, or no data for this actor in the stored run."""
    book = codebook()
    table = domains_by_actor(db, book)
    nodes = {n["node"]: n for n in run_nodes(db)}
    out = []
    for actor, rows in table.groupby("actor", sort=False):
        domains = []
        for r in rows.to_dict("records"):
            lacking = [c for c in nodes[r["domain"]]["children"] if c not in r["indicators"]]
            domains.append({**r, "label": nodes[r["domain"]]["label"],
                            "lacking": [{"code": c, "why": why_lacking(book, c, actor)}
                                        for c in lacking]})
        info = book.actor_info[actor]
        out.append({"actor": actor, "name": info.name, "kind": info.kind,
                    "colour": info.colour, "domains": domains,
                    "with_components": sum(1 for d in domains if d["indicators"])})
    return out


def validity_views(db: Database | None) -> list[dict]:
    """Per actor, the internal view of the stored run in its default year (each component's
    correlation with its pillar and the index, share of targets scored); empty without a run."""
    if db is None:
        return []
    out = []
    for actor in codebook().actors:
        year = default_year(db, actor)
        if year is None:
            continue
        try:
            view = internal_view(db, actor, year)
        except NotFound:
            continue
        view = view.round(3).astype(object)
        out.append({"actor": actor, "year": year,
                    "rows": view.where(view.notna(), None).to_dict("records")})
    return out


@page(router, "/methodology")
def methodology_page(request: Request):
    """The measurement framework and the index method, generated from their specifications."""
    return respond(request, "methodology.html", methodology_data(store(request)))


PAGE = Page("/methodology", "Methodology", "methodology.html", nav=70, in_report=True,
            data=methodology_data)
