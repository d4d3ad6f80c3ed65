"""Where the store's data come from, as the pages and the CLI need to say it."""

from __future__ import annotations


def is_starter_only(db) -> bool:
    """True when the store holds no source but the starter data (the dashboard says so)."""
    n = db.scalar("SELECT COUNT(*) FROM sources WHERE starter = :f AND name <> 'countries'",
                  {"f": False})
    return not n
