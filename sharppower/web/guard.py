"""ASGI middleware in front of every route: security headers, input limits, the per-client
request budget and the audit of every write attempt.

- Headers on every response: a Content-Security-Policy allowing only the server's own
  scripts, styles, images and connections (inline styles stay allowed: plotly.js sets
  them), X-Content-Type-Options, X-Frame-Options, Referrer-Policy.
- Limits, before any route runs: a request body over MAX_BODY bytes -> 413; a query
  parameter over MAX_PARAM characters, or a NUL byte in the path, the query or the body
  -> 422 (PostgreSQL cannot store NUL, SQLite's LIKE refuses long patterns).
- Budget (budget.py), before anything else: each client address may make `budget`
  requests a minute (a token bucket; an export or download costs EXPORT_COST); over it the
  answer is 429 with Retry-After, and nothing else runs (no route, no audit row). A budget
  of 0 means no limit.
- Audit: each other POST/PUT/PATCH/DELETE gets one row in the audit log whatever its
  outcome (ok for 2xx; denied for 401 and 403; error otherwise, 5xx included) with the
  actor (the user behind the token, if any), the action, the target and the HTTP status;
  the path kept in the row is cut at MAX_AUDIT_PATH characters and the error message at
  MAX_AUDIT_MESSAGE, each with a marker saying how many were left out, so no request can
  write a large row.
- Store failures (store/failures.py): a store that is read-only or on a full disk answers
  503 with a sentence saying so (not a 500), and an audit row it cannot take is logged in
  one line; reading pages keep working on a read-only store.
"""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import parse_qsl

from sharppower.store.failures import explain
from sharppower.web import accounts
from sharppower.web.budget import ClientBudget

MAX_BODY = 1_000_000  # bytes of a request body
MAX_PARAM = 1_000  # characters of one query parameter
MAX_AUDIT_PATH = 300  # characters of the request path kept in an audit row
MAX_AUDIT_MESSAGE = 1000  # characters of the error message kept in an audit row
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
EXPORTS = ("/evidence.stix", "/downloads/")  # path prefixes of the large answers
EXPORT_COST = 10  # requests of the budget one export takes
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
HEADERS = [(b"content-security-policy", CSP.encode()),
           (b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
           (b"referrer-policy", b"no-referrer")]
# (method, route path) -> audit action; other writes are audited as "METHOD path"
ACTIONS = {
    ("POST", "/api/evidence"): "evidence.propose",
    ("PATCH", "/api/evidence/{rid}"): "evidence.edit",
    ("POST", "/api/evidence/{rid}/coding"): "evidence.code",
    ("POST", "/api/evidence/{rid}/review"): "evidence.review",
    ("POST", "/api/users"): "user.create",
    ("POST", "/api/users/{name}/tokens"): "token.issue",
    ("DELETE", "/api/users/{name}/tokens"): "token.revoke",
    ("POST", "/api/tokens/revoke"): "token.revoke",
    ("POST", "/api/users/{name}/deactivate"): "user.deactivate",
}
INTERNAL = (500, json.dumps({"error": "InternalError", "message": "internal error (logged "
                                                                   "on the server)"}).encode())
log = logging.getLogger("sharppower.web")
NUL_IN_JSON = re.compile(rb"(?<!\\)\\u0000", re.IGNORECASE)


def _reject(status: int, message: str) -> tuple[int, bytes]:
    return status, json.dumps({"error": "BadRequest" if status == 422 else "TooLarge",
                               "message": message}).encode()


def bounded(text: str, limit: int) -> str:
    """`text`, or its first `limit` characters and a marker saying how many were cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}...[{len(text) - limit} more characters cut]"


def request_cost(path: str) -> int:
    """How much of a client's budget a request to `path` takes."""
    return EXPORT_COST if path.startswith(EXPORTS) else 1


def check_target(scope) -> tuple[int, bytes] | None:
    """422 for a NUL byte in the path or query, or an over-long query parameter."""
    raw_path = scope.get("raw_path") or scope["path"].encode()
    query = scope.get("query_string", b"")
    if (b"\x00" in raw_path or b"%00" in raw_path or "\x00" in scope["path"]
            or b"%00" in query or b"\x00" in query):
        return _reject(422, "NUL bytes are not allowed in the path or query")
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if len(value) > MAX_PARAM:
            return _reject(422, f"query parameter {name!r} is longer than {MAX_PARAM} characters")
    return None


def check_body(body: bytes) -> tuple[int, bytes] | None:
    if b"\x00" in body or NUL_IN_JSON.search(body):
        return _reject(422, "NUL bytes (\\u0000) are not allowed in the request body")
    return None


class Guard:
    """The middleware (wraps the FastAPI app; `db` is where the audit rows go; `budget` is
    the requests a minute each client address may make, 0 for no limit)."""

    def __init__(self, app, db, budget: int = 0):
        self.app, self.db = app, db
        self.budget = ClientBudget(budget) if budget > 0 else None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wait = self._over_budget(scope)
        if wait is not None:
            await _respond(_with_headers(send), 429, json.dumps({
                "error": "TooManyRequests", "message": "this client has used its request "
                f"budget: retry in {wait} s"}).encode(), [(b"retry-after", str(wait).encode())])
            return
        state = {"status": 500}

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                state["status"], state["started"] = message["status"], True
                message["headers"] = list(message.get("headers", [])) + HEADERS
            await send(message)

        scope.setdefault("state", {})
        write = scope["method"] in WRITES
        try:
            problem = check_target(scope)
            if problem is None and write:
                body, problem = await self._read_body(scope, receive)
                receive = _replay(body, receive)
            if problem is not None:
                await _respond(send_with_headers, *problem)
            else:
                await self.app(scope, receive, send_with_headers)
        except Exception as exc:  # a bug: logged, answered as a JSON 500 (with the headers),
            # audited; a read-only or full store: a 503 saying so, logged in one line
            failure = explain(exc)
            if failure:
                log.error("%s %s: %s", scope["method"], scope["path"], failure)
            else:
                log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if state.get("started"):
                raise
            await _respond(send_with_headers, *(_unavailable(failure) if failure else INTERNAL))
        finally:
            if write:
                self._audit(scope, state["status"])

    def _over_budget(self, scope) -> int | None:
        """Seconds the client must wait, or None when its budget allows the request."""
        if self.budget is None:
            return None
        client = (scope.get("client") or ("unknown", 0))[0]
        return self.budget.take(str(client), request_cost(scope["path"]))

    async def _read_body(self, scope, receive) -> tuple[bytes, tuple[int, bytes] | None]:
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length and length.isdigit() and int(length) > MAX_BODY:
            return b"", _reject(413, f"the request body is larger than {MAX_BODY:,} bytes")
        chunks, size = [], 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                return b"", _reject(413, f"the request body is larger than {MAX_BODY:,} bytes")
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        return body, check_body(body)

    def _audit(self, scope, status: int) -> None:
        route = scope.get("route")
        path = getattr(route, "path", scope["path"])
        action = ACTIONS.get((scope["method"], path), bounded(f"{scope['method']} {path}", 40))
        info = scope.get("state", {}) or {}
        if info.get("audited") and status < 400:
            return  # the write's own transaction holds its audit row (writing.py)
        params = scope.get("path_params", {}) or {}
        obj = info.get("audit_object") or params.get("rid") or params.get("name")
        outcome = "ok" if status < 400 else "denied" if status in (401, 403) else "error"
        detail = {"status": status, "path": bounded(scope["path"], MAX_AUDIT_PATH)}
        if info.get("audit_message"):
            detail["message"] = bounded(str(info["audit_message"]), MAX_AUDIT_MESSAGE)
        try:
            user = info.get("audit_user") or accounts.user_for_token(self.db, _token(scope))
            accounts.audit(self.db, user, action, outcome, obj=obj, detail=detail)
        except Exception as exc:  # the answer is sent: a store that cannot take the row
            failure = explain(exc)  # (read-only, full) is logged in one line, a bug in full
            if failure is None:
                raise
            log.error("audit row of %s %s not written: %s", scope["method"],
                      bounded(scope["path"], MAX_AUDIT_PATH), failure)


def _unavailable(message: str) -> tuple[int, bytes]:
    return 503, json.dumps({"error": "StoreUnavailable", "message": message}).encode()


def _token(scope) -> str | None:
    header = dict(scope.get("headers", [])).get(b"authorization", b"").decode("latin-1")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _replay(body: bytes, receive_more):
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive_more()

    return receive


def _with_headers(send):
    async def send_with_headers(message):
        if message["type"] == "http.response.start":
            message["headers"] = list(message.get("headers", [])) + HEADERS
        await send(message)

    return send_with_headers


async def _respond(send, status: int, body: bytes, headers=()) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})
