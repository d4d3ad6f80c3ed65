"""Builders shared by the web, API, browser and report tests (imported, not a conftest)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from sharppower.store.database import insert_rows
from sharppower.store.tables import countries, observations

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


# Synthetic exposure and pressure inputs for the index (CHN, 2021): trade and arms
# dependence (exposure) and leaders' visits (pressure) pull in opposite directions, so the
# weights decide the ranking (KEN first with equal weights, by a margin, not a tie).
INDEX_CODES = ("exp_trade_share", "exp_arms_share_5yr", "prs_leader_visits")
INDEX_INPUTS = {
    # target: values of INDEX_CODES
    "KEN": (0.05, 0.20, 900.0), "PAK": (0.20, 0.10, 600.0), "ZMB": (0.25, 0.25, 300.0),
    "LAO": (0.30, 0.35, 120.0), "KHM": (0.40, 0.40, 60.0),
}


def input_pillars() -> tuple[str, str]:
    """The codebook pillars of the inputs: (the trade and arms one, the visits one)."""
    from sharppower.codebook import load_codebook

    pillar = load_codebook().indicators.set_index("code")["pillar"]
    return pillar[INDEX_CODES[0]], pillar[INDEX_CODES[2]]


def add_index_inputs(db, year: int = 2021) -> None:
    rows = []
    for target, values in INDEX_INPUTS.items():
        for code, value in zip(INDEX_CODES, values):
            rows.append({"actor": "CHN", "target": target, "year": year, "indicator": code,
                         "value": value, "source": "test-fixture",
                         "source_file": "tests/test_web_support.py", "source_row": target})
    with db.begin() as conn:
        insert_rows(conn, observations, rows)
        for target in INDEX_INPUTS:  # regions, as the countries source would set them
            conn.execute(countries.update().where(countries.c.iso3 == target)
                         .values(region="Asia" if target in ("PAK", "LAO", "KHM") else "Africa"))


def build_index_with_one_vote(db) -> None:
    """The index inputs plus one UN vote (TZA, 2021), then a small index run: TZA alone
    has the effect pillar that year, so the other targets lack a pillar of the index."""
    from sharppower.index.build import build_index

    add_index_inputs(db)
    with db.begin() as conn:
        insert_rows(conn, observations, [{
            "actor": "CHN", "target": "TZA", "year": 2021, "indicator": "eff_unga_agreement",
            "value": 0.5, "source": "test-fixture", "source_file": __file__,
            "source_row": "TZA"}])
    build_index(db, runs=20, seed=1)
