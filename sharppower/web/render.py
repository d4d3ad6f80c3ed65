"""One view, two renderings: JSON for `.json` paths or `Accept: application/json`, else HTML."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # fastapi loads with the app, not with the build's profile check
    from fastapi import Request


def wants_json(request: Request) -> bool:
    if request.url.path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


PLAIN = {str, int, bool}


def clean(value: Any) -> Any:
    """Make data JSON-safe: NaN -> None, timestamps -> ISO strings, numpy -> Python."""
    kind = type(value)
    if kind in PLAIN or value is None:  # most of a page: kept as they are
        return value
    if kind is float:
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def render(request: Request, templates, template: str, data: dict[str, Any], status: int = 200,
           context: dict[str, Any] | None = None):
    """JSON of `data` (made JSON-safe) or the template with `data` and extra `context`."""
    payload = clean(data)
    if wants_json(request):
        from fastapi.responses import JSONResponse

        return JSONResponse(payload, status_code=status)
    return templates.TemplateResponse(request, template,
                                      {"data": payload, "json": json, **(context or {})},
                                      status_code=status)
