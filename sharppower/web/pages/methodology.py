"""Methodology: generated from the codebook (pillars, domains, layers, indicators) and the
index specification (stages and the method each uses)."""

from __future__ import annotations

from importlib import resources

import yaml
from fastapi import APIRouter, Request

from sharppower.web.lookup import codebook
from sharppower.web.routing import page, respond

router = APIRouter(tags=["methodology"])


def index_specs() -> list[dict]:
    """Every index specification shipped in sharppower/specs (name and parsed content)."""
    specs = []
    folder = resources.files("sharppower").joinpath("specs")
    for item in sorted(folder.iterdir(), key=lambda p: p.name) if folder.is_dir() else []:
        if item.name.endswith((".yaml", ".yml")):
            specs.append({"name": item.name, "spec": yaml.safe_load(item.read_text("utf-8"))})
    return specs


def methodology_data() -> dict:
    book = codebook()
    ind = book.indicators
    pillars = []
    for code, spec in book.pillars.items():
        domains = []
        for dcode, dname in spec["domains"].items():
            rows = ind[ind["domain"] == dcode].drop(columns=["actors"]).to_dict("records")
            domains.append({"code": dcode, "name": dname, "indicators": rows})
        pillars.append({"code": code, "name": spec.get("name", code),
                        "description": spec.get("description", ""), "domains": domains})
    return {"codebook_version": book.version, "actors": book.actors, "layers": book.layers,
            "pillars": pillars, "index_specs": index_specs()}


@page(router, "/methodology")
def methodology_page(request: Request):
    """The measurement framework and the index method, generated from their specifications."""
    return respond(request, "methodology.html", methodology_data())
