"""`Memo`: how views share frames that cover every target. A view takes `memo(key, compute)`
(the app's per-store-version cache, the static report's dict, or `no_memo`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Memo = Callable[[Any, Callable[[], Any]], Any]


def no_memo(key: Any, compute: Callable[[], Any]) -> Any:
    return compute()


def memo_reader(memo: Memo, read: Callable[..., Any]) -> Callable[..., Any]:
    """`read(db, actor, name)` memoised under ("measure", actor, name)."""
    def cached(db, actor, name):
        return memo(("measure", actor, name), lambda: read(db, actor, name))
    return cached
