"""`Memo`: how views share frames that cover every target. A view takes `memo(key, compute)`
(the app's per-store-version cache, `dict_memo()` for one pass, or `no_memo`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Memo = Callable[[Any, Callable[[], Any]], Any]


def no_memo(key: Any, compute: Callable[[], Any]) -> Any:
    return compute()


def dict_memo() -> Memo:
    """A memo over a fresh dict, unbounded: for one pass over every page (a build storing
    the profiles, the static report)."""
    values: dict[Any, Any] = {}

    def memo(key: Any, compute: Callable[[], Any]) -> Any:
        if key not in values:
            values[key] = compute()
        return values[key]
    return memo


def memo_reader(memo: Memo, read: Callable[..., Any]) -> Callable[..., Any]:
    """`read(db, actor, name)` memoised under ("measure", actor, name)."""
    def cached(db, actor, name):
        return memo(("measure", actor, name), lambda: read(db, actor, name))
    return cached
