"""Exception handlers: library errors become 4xx JSON with a clear message, never a 500.

A browser (a page path asked with `Accept: text/html`) gets the same message as an HTML
page with the site's navigation and a way back; API clients (`.json` paths, `/api/`,
`Accept: application/json`, no Accept) keep the JSON body."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from sharppower.errors import InputError, NotFound, SharppowerError, StaleVersion, ValidationError

STATUS = [(NotFound, 404), (StaleVersion, 412), (ValidationError, 422), (InputError, 422),
          (SharppowerError, 400)]


class Forbidden(SharppowerError):
    """The token's role does not allow this action."""


class Unauthorised(SharppowerError):
    """No valid bearer token."""


def status_of(exc: Exception) -> int:
    from sharppower.measures.evidence.ledger import SelfReviewError

    if isinstance(exc, Unauthorised):
        return 401
    if isinstance(exc, (Forbidden, SelfReviewError)):
        return 403
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 400


def error_body(exc: Exception) -> dict:
    body = {"error": type(exc).__name__, "message": str(exc)}
    for attr in ("field", "row", "file"):
        if getattr(exc, attr, None) is not None:
            body[attr] = getattr(exc, attr)
    return body


def wants_html(request: Request) -> bool:
    """A browser asking for a page: Accept names text/html, and the path is not an API one."""
    path = request.url.path
    if path.endswith(".json") or path.startswith("/api/") or request.method != "GET":
        return False
    return "text/html" in request.headers.get("accept", "")


def answer(request: Request, body: dict, status: int, headers=None):
    """`body` as JSON, or as the HTML error page for a browser."""
    if not wants_html(request):
        return JSONResponse(body, status_code=status, headers=headers)
    from sharppower.web.routing import WEB_CONTEXT, templates

    data = {"status": status, "error": body.get("error"), "message": body.get("message"),
            "field": body.get("field"), "path": request.url.path,
            "json_url": request.url.path + ".json" + (f"?{request.url.query}"
                                                      if request.url.query else "")}
    html = templates.get_template("error.html").render(
        {"request": request, "data": data, **WEB_CONTEXT})
    return HTMLResponse(html, status_code=status, headers=headers)


async def library_error(request: Request, exc: SharppowerError):
    status = status_of(exc)
    request.state.audit_message = str(exc)[:2000]
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return answer(request, error_body(exc), status, headers)


async def request_error(request: Request, exc: RequestValidationError):
    problems = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            problems.append(f"malformed JSON body: {err.get('ctx', {}).get('error', err.get('msg'))}")
            continue
        where = ".".join(str(p) for p in err.get("loc", ()))
        problems.append(f"{where}: {err.get('msg')}")
    request.state.audit_message = "; ".join(problems)[:2000]
    return answer(request, {"error": "BadRequest", "message": "; ".join(problems) or "bad request",
                            "details": [{"loc": list(e.get("loc", ())), "msg": e.get("msg")}
                                        for e in exc.errors()]}, 422)


async def http_error(request: Request, exc: StarletteHTTPException):
    message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 404 and message == "Not Found":
        message = f"no page or API route at {request.url.path}"
    return answer(request, {"error": "HTTPError", "message": message}, exc.status_code,
                  getattr(exc, "headers", None))


def install(app: FastAPI) -> None:
    app.add_exception_handler(SharppowerError, library_error)
    app.add_exception_handler(RequestValidationError, request_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
