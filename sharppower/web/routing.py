"""Routing helpers shared by the page modules.

`page(router, path)` registers one view under `path` (HTML, or JSON when asked with
`Accept: application/json`) and under `path.json` (always JSON, listed in the OpenAPI
description). `respond()` adds what every page shows (the starter-data banner) and renders.
Templates build links with `link("country/SWE")` and `asset("style.css")` so that the
static report can render the same templates with relative file links.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from sharppower.index.names import component_name
from sharppower.store import Database
from sharppower.store.provenance import is_starter_only
from sharppower.web.cache import StoreCache
from sharppower.web.render import clean, render, wants_json

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def sanitise(html: str | None) -> str:
    """The evidence ledger's sanitiser, applied again at display (idempotent)."""
    from sharppower.measures.evidence.sanitise import narrative_html

    return narrative_html(html)


def fmt(value: Any, digits: int = 1) -> str:
    """A number for display; missing values read 'no data' (missing is not zero)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


templates.env.filters["sanitise"] = sanitise
templates.env.filters["fmt"] = fmt
templates.env.filters["component_name"] = component_name  # codes never shown bare


def web_link(path: str) -> str:
    return "/" + path.lstrip("/")


def web_asset(path: str) -> str:
    return "/static/" + path.lstrip("/")


WEB_CONTEXT = {"link": web_link, "asset": web_asset, "static_site": False}


def page(router: APIRouter, path: str, **kwargs: Any) -> Callable:
    """Register a view at `path` (HTML or JSON) and `path.json` (JSON, in the OpenAPI)."""
    def decorate(view: Callable) -> Callable:
        json_path = "/index.json" if path == "/" else path + ".json"
        router.get(json_path, **kwargs)(view)
        router.get(path, include_in_schema=False, **kwargs)(view)
        return view
    return decorate


def store(request: Request) -> Database:
    return request.app.state.db


def cache(request: Request) -> StoreCache:
    return request.app.state.cache


def starter_only(request: Request) -> bool:
    return cache(request).get(("starter_only",), lambda: is_starter_only(store(request)))


def json_key(key: Any) -> tuple:
    return ("json", key)


def cached_json(request: Request, key: Any) -> Response | None:
    """The already-encoded JSON answer of a page for `key`, if this store version has one:
    the fast path of async views (no thread hop, no database, no encoding)."""
    if not wants_json(request):
        return None
    body = cache(request).peek(json_key(key))
    return None if body is None else Response(body, media_type="application/json")


def respond(request: Request, template: str, data: dict[str, Any], status: int = 200,
            figures: Callable[[dict], dict] | None = None, key: Any = None):
    """Render a page. `figures(data)` builds plotly specs from the JSON-safe data (missing
    values None, never NaN), for HTML only: they are never part of the JSON. With a cache
    `key`, the JSON body is encoded once per store version and served as bytes."""
    if key is not None and wants_json(request):
        body = cache(request).get(json_key(key), lambda: json.dumps(
            clean({**data, "starter_only": starter_only(request)}), allow_nan=False,
            separators=(",", ":")).encode("utf-8"))
        return Response(body, status_code=status, media_type="application/json")
    data = clean({**data, "starter_only": starter_only(request)})
    context = dict(WEB_CONTEXT)
    if figures is not None and not wants_json(request):
        context["figures"] = figures(data)
    return render(request, templates, template, data, status=status, context=context)
