"""HTML forms send every field, empty ones as `name=`: a search without a year sends
`year=`. `EmptyFieldsDropped` removes empty query parameters before routing, so an empty
field means "not given" (its default) on every page and never a 422 for `int | None`."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode


def without_empty(query: bytes) -> bytes:
    """The query string without parameters whose value is empty or blank (unchanged, byte
    for byte, when none is)."""
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if v.strip()]
    return query if len(kept) == len(pairs) else urlencode(kept).encode("latin-1")


class EmptyFieldsDropped:
    """ASGI middleware: GET and HEAD requests lose their empty query parameters."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if (scope["type"] == "http" and scope.get("method") in ("GET", "HEAD")
                and b"=" in scope.get("query_string", b"")):
            scope = dict(scope, query_string=without_empty(scope["query_string"]))
        await self.app(scope, receive, send)
