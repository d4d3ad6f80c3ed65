"""`Memo`: how views share frames that cover every target. A view takes `memo(key, compute)`
(the app's per-store-version cache, `dict_memo()` for one pass, or `no_memo`);
`by_target` and `by_target_year` split such a frame once so that each country costs a
lookup."""

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


def by_target(memo: Memo, key: tuple, compute: Callable[[], Any]) -> dict[str, list[dict]]:
    """A frame covering every target (`compute()`), turned into records once per store
    version and split into target -> its records, so that each profile costs a lookup."""
    def split() -> dict[str, list[dict]]:
        frame = compute()
        if frame.empty or "target" not in frame.columns:
            return {}
        out: dict[str, list[dict]] = {}
        for rec in frame.to_dict("records"):
            out.setdefault(rec["target"], []).append(rec)
        return out
    return memo(("by_target", *key), split)


def by_target_year(memo: Memo, key: tuple, compute: Callable[[], Any]
                   ) -> dict[tuple[str, int], dict]:
    """A frame covering every target as (target, year) -> its row (the last one)."""
    def index() -> dict[tuple[str, int], dict]:
        frame = compute()
        if frame.empty:
            return {}
        years = frame["year"].astype(int).tolist()
        return dict(zip(zip(frame["target"].tolist(), years), frame.to_dict("records")))
    return memo(("by_target_year", *key), index)
