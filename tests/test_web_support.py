"""Builders shared by the web, API, browser and report tests (imported, not a conftest)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from sharppower.store.database import insert_rows
from sharppower.store.tables import observations

# A few synthetic opinion rows (favourable share with a standard error), written for the
# tests: two actors, three targets, three years, one target missing a year.
SYNTHETIC = [
    ("CHN", "SWE", 2019, 14.0, 1.2), ("CHN", "SWE", 2021, 18.0, 1.3), ("CHN", "SWE", 2022, 11.0, 1.1),
    ("CHN", "AUS", 2019, 23.0, 1.4), ("CHN", "AUS", 2022, 12.0, 1.0),
    ("CHN", "KOR", 2019, 34.0, 1.5), ("CHN", "KOR", 2021, 22.0, 1.4), ("CHN", "KOR", 2022, 19.0, 1.3),
    ("RUS", "SWE", 2019, 10.0, 1.0), ("RUS", "SWE", 2022, 4.0, 0.7),
]


def add_opinion(db) -> None:
    rows = [{"actor": a, "target": t, "year": y, "indicator": "att_favorable", "value": v,
             "unit": "percent of adults", "se": se, "source": "test-fixture",
             "source_file": "tests/test_web_support.py", "source_row": str(i)}
            for i, (a, t, y, v, se) in enumerate(SYNTHETIC)]
    with db.begin() as conn:
        insert_rows(conn, observations, rows)


def make_app(conf, db, admin_token: str = "admin-secret"):
    from sharppower.web.app import create_app

    return create_app(replace(conf, admin_token=admin_token), db)


def client(app):
    from fastapi.testclient import TestClient

    return TestClient(app)


def favourable(db, actor: str, target: str) -> pd.DataFrame:
    return db.read("SELECT year, value FROM observations WHERE indicator = 'att_favorable' "
                   "AND actor = :a AND target = :t ORDER BY year", {"a": actor, "t": target})
