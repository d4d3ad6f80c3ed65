"""Exception handlers: library errors become 4xx JSON with a clear message, never a 500."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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


async def library_error(request: Request, exc: SharppowerError) -> JSONResponse:
    status = status_of(exc)
    request.state.audit_message = str(exc)[:2000]
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(error_body(exc), status_code=status, headers=headers)


async def request_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            problems.append(f"malformed JSON body: {err.get('ctx', {}).get('error', err.get('msg'))}")
            continue
        where = ".".join(str(p) for p in err.get("loc", ()))
        problems.append(f"{where}: {err.get('msg')}")
    request.state.audit_message = "; ".join(problems)[:2000]
    return JSONResponse({"error": "BadRequest", "message": "; ".join(problems) or "bad request",
                         "details": [{"loc": list(e.get("loc", ())), "msg": e.get("msg")}
                                     for e in exc.errors()]}, status_code=422)


async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 404 and message == "Not Found":
        message = f"no page or API route at {request.url.path}"
    return JSONResponse({"error": "HTTPError", "message": message}, status_code=exc.status_code,
                        headers=getattr(exc, "headers", None))


def install(app: FastAPI) -> None:
    app.add_exception_handler(SharppowerError, library_error)
    app.add_exception_handler(RequestValidationError, request_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
