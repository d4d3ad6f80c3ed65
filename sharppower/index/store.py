"""Index results in the store: save a run, read scores, export CSV or Parquet.

`scores(db, actor, year=None, level="index")` returns SCORE_COLUMNS: actor, target, year,
level, node, score, rank (1 = highest in the actor x year), n_ranked (targets ranked),
coverage (share of the node's children with a value, among those available that year),
rank_median, rank_low, rank_high (5th-95th percentile Monte Carlo interval, widened to
hold the nominal rank), rank_p05, rank_p95, score_low and score_high (the score's 95%
interval), components (the domains, or for a domain the indicators, that entered the
score), stale_components ("name:age", values carried past their source's end),
max_stale_age, imputed_components, zero_components (declared zeros); sorted by actor,
year, node, rank. It reads
the most recent stored run (or the run of spec `spec`) and raises NotFound when the store
holds none.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from sharppower.errors import NotFound, ValidationError
from sharppower.index.detail import component_detail
from sharppower.index.tables import (
    CHILD_TABLES,
    index_indicators,
    index_runs,
    index_scores,
    index_screening,
    index_sensitivity,
)
from sharppower.store import Database
from sharppower.store.database import insert_frame

SCORE_COLUMNS = ["actor", "target", "year", "level", "node", "score", "rank", "n_ranked",
                 "coverage", "rank_median", "rank_low", "rank_high", "rank_p05", "rank_p95",
                 "score_low", "score_high", "components", "stale_components", "max_stale_age",
                 "imputed_components", "zero_components"]
LEVELS = ("index", "pillar", "domain")
FORMATS = ("csv", "parquet")


def _delete_runs(conn, spec_name: str) -> None:
    ids = [r[0] for r in conn.execute(sa.select(index_runs.c.id)
                                      .where(index_runs.c.spec == spec_name))]
    if ids:
        for table in CHILD_TABLES:
            conn.execute(sa.delete(table).where(table.c.run_id.in_(ids)))
        conn.execute(sa.delete(index_runs).where(index_runs.c.id.in_(ids)))


def _with_run(frame: pd.DataFrame, run_id: int, columns: list[str]) -> pd.DataFrame:
    return frame.reindex(columns=columns).assign(run_id=run_id)


def save_run(db: Database, run, indicators: pd.DataFrame, summary: dict,
             fingerprint: str | None = None, sensitivity: pd.DataFrame | None = None) -> int:
    """Store a run (replacing earlier runs of the same spec) in one transaction."""
    mc = run.extra.get("monte_carlo") or {}
    long = run.long().merge(component_detail(run), on=["actor", "target", "year", "node"],
                            how="left")
    screened = run.screened.dropped
    with db.begin() as conn:
        _delete_runs(conn, run.spec.name)
        run_id = conn.execute(index_runs.insert().values(
            spec=run.spec.name, spec_sha256=run.spec.sha256, fingerprint=fingerprint,
            created_at=datetime.now(UTC), mc_runs=mc.get("runs"), seed=mc.get("seed"),
            log=json.dumps(run.log, sort_keys=True, default=str),
            summary=json.dumps(summary, default=str))).inserted_primary_key[0]
        insert_frame(conn, index_scores, _with_run(long, run_id, SCORE_COLUMNS))
        insert_frame(conn, index_screening, _with_run(
            screened, run_id, ["actor", "year", "node", "kind", "item", "coverage",
                               "threshold", "reason"]))
        insert_frame(conn, index_indicators, _with_run(
            indicators, run_id, [c.name for c in index_indicators.c if c.name != "run_id"]))
        if sensitivity is not None:
            _insert_sensitivity(conn, run_id, sensitivity)
    return int(run_id)


def _insert_sensitivity(conn, run_id: int, table: pd.DataFrame) -> None:
    conn.execute(sa.delete(index_sensitivity).where(index_sensitivity.c.run_id == run_id))
    cols = [c.name for c in index_sensitivity.c if c.name not in ("run_id", "computed_at")]
    insert_frame(conn, index_sensitivity, _with_run(
        table.assign(computed_at=datetime.now(UTC)), run_id, cols + ["computed_at"]))


def save_sensitivity(db: Database, run_id: int, table: pd.DataFrame) -> None:
    with db.begin() as conn:
        _insert_sensitivity(conn, run_id, table)


def latest_run(db: Database, spec: str | None = None) -> dict:
    """The stored run's row (id, spec, log and summary decoded); NotFound when none."""
    stmt = sa.select(index_runs).order_by(index_runs.c.id.desc()).limit(1)
    if spec:
        stmt = stmt.where(index_runs.c.spec == spec)
    rows = db.read(stmt)
    if rows.empty:
        raise NotFound("the store holds no index run: run `sharppower index build` "
                       "(or `sharppower build`)")
    row = rows.iloc[0].to_dict()
    row["log"] = json.loads(row["log"] or "{}")
    row["summary"] = json.loads(row["summary"] or "{}")
    return row


def scores(db: Database, actor: str | None = None, year: int | None = None,
           level: str | None = "index", spec: str | None = None,
           node: str | None = None) -> pd.DataFrame:
    """Stored scores and rank intervals (SCORE_COLUMNS); level None: every level; `node`:
    one index, pillar or domain only."""
    if level is not None and level not in LEVELS:
        raise ValidationError("level", f"one of {', '.join(LEVELS)}, not {level!r}")
    run_id = int(latest_run(db, spec)["id"])
    t = index_scores.c
    stmt = sa.select(*[t[c] for c in SCORE_COLUMNS]).where(t.run_id == run_id)
    if actor:
        stmt = stmt.where(t.actor == actor)
    if year is not None:
        stmt = stmt.where(t.year == int(year))
    if level:
        stmt = stmt.where(t.level == level)
    if node:
        stmt = stmt.where(t.node == node)
    out = db.read(stmt)
    out = out if not out.empty else pd.DataFrame(columns=SCORE_COLUMNS)
    out = out.astype({"year": int, "n_ranked": int}) if len(out) else out
    return out.sort_values(["actor", "year", "node", "rank", "target"]).reset_index(drop=True)


def read_table(db: Database, table: sa.Table, spec: str | None = None,
               year: int | None = None) -> pd.DataFrame:
    """A child table's rows for the stored run (screening, indicators, sensitivity); `year`:
    that year's only (a table with a year column)."""
    run_id = int(latest_run(db, spec)["id"])
    stmt = sa.select(table).where(table.c.run_id == run_id)
    if year is not None:
        stmt = stmt.where(table.c.year == int(year))
    out = db.read(stmt)
    return out.drop(columns=["run_id"])


def screening(db: Database, spec: str | None = None, year: int | None = None) -> pd.DataFrame:
    """What screening dropped: actor, year, node, kind (pillar | unit | indicator), item,
    coverage, threshold, reason; `year`: that year's only."""
    return read_table(db, index_screening, spec, year).drop(columns=["id"])


def stored_sensitivity(db: Database, spec: str | None = None) -> pd.DataFrame:
    """Sensitivity indices stored with the run (by `index sensitivity` or the build):
    actor, node, level, factor, first_order, total_order, variance, n_base, evaluations,
    computed_at; empty when none was computed."""
    return read_table(db, index_sensitivity, spec)


def indicator_summary(db: Database, spec: str | None = None) -> pd.DataFrame:
    """Per actor and indicator: pillar, domain, observed, imputed, winsorised,
    log_transformed, correlation with its pillar, warning (summary.INDICATOR_COLUMNS)."""
    return read_table(db, index_indicators, spec)


FILTERS = ("actor", "year", "level", "node")


def _every_actor(run: dict) -> list:
    """A condition naming each of the run's actors (its summary's), so that a query of one
    year or target seeks the scores' indexes (run_id, actor, ...) actor by actor instead of
    scanning the whole run; none for a run whose summary does not list them."""
    actors = (run.get("summary") or {}).get("actors")
    return [index_scores.c.actor.in_(actors)] if actors else []


def score_records(db: Database, year: int, spec: str | None = None) -> list[dict]:
    """The stored run's scores of one year, every actor and level, as plain records with
    SCORE_COLUMNS (no DataFrame: a page reading one year pays for its rows only)."""
    run = latest_run(db, spec)
    t = index_scores.c
    stmt = (sa.select(*[t[c] for c in SCORE_COLUMNS])
            .where(t.run_id == int(run["id"]), *_every_actor(run), t.year == int(year)))
    with db.connect() as conn:
        result = conn.execute(stmt)
        keys = list(result.keys())
        return [dict(zip(keys, row)) for row in result.fetchall()]


def scored_years(db: Database, target: str | None = None, actor: str | None = None,
                 spec: str | None = None) -> pd.DataFrame:
    """The stored run's distinct (actor, target, year) with any score, of one target or
    actor (a page's year choices without reading the scores)."""
    run = latest_run(db, spec)
    t = index_scores.c
    stmt = sa.select(t.actor, t.target, t.year).distinct().where(t.run_id == int(run["id"]))
    if actor:
        stmt = stmt.where(t.actor == actor)
    elif target:
        stmt = stmt.where(*_every_actor(run))
    if target:
        stmt = stmt.where(t.target == target)
    return db.read(stmt)


def filter_values(db: Database, spec: str | None = None) -> pd.DataFrame:
    """The stored run's distinct (actor, year, level, node): what an export can keep."""
    run_id = int(latest_run(db, spec)["id"])
    t = index_scores.c
    return db.read(sa.select(t.actor, t.year, t.level, t.node).distinct()
                   .where(t.run_id == run_id))


def score_filters(db: Database, actor: str | None = None, year: int | None = None,
                  level: str | None = None, node: str | None = None,
                  spec: str | None = None) -> dict:
    """The filters of an export checked against the stored run: {actor, year, level, node},
    None where not given (actor upper-cased). A value the run does not hold is a
    ValidationError naming the parameter and its valid values (one query: the run's
    distinct actor, year, level and node)."""
    held = filter_values(db, spec)
    actor = actor.strip().upper() if actor else None
    if level is not None and level not in LEVELS:
        raise ValidationError("level", f"one of {', '.join(LEVELS)}, not {level!r}")
    if actor is not None and actor not in set(held["actor"]):
        raise ValidationError("actor", f"one of {', '.join(sorted(set(held['actor'])))} "
                                       f"(the actors the stored run scores), not {actor!r}")
    years = sorted({int(y) for y in held["year"]})
    if year is not None and int(year) not in years:
        span = f"{years[0]}-{years[-1]}" if years else "none"
        raise ValidationError("year", f"a year the stored run scores ({span}), not {year}")
    if node is not None:
        nodes = held if level is None else held[held["level"] == level]
        valid = sorted(set(nodes["node"]))
        if node not in valid:
            where = f" at level {level}" if level else ""
            raise ValidationError("node", f"one of {', '.join(valid)}{where}, not {node!r}")
    return {"actor": actor, "year": None if year is None else int(year), "level": level,
            "node": node}


def export_scores(db: Database, path: str | Path, fmt: str = "csv",
                  spec: str | None = None, actor: str | None = None, year: int | None = None,
                  level: str | None = None, node: str | None = None) -> int:
    """Write the stored scores (all levels, or those the filters keep: `score_filters`) as
    CSV or Parquet; returns the row count."""
    if fmt not in FORMATS:
        raise ValidationError("format", f"one of {', '.join(FORMATS)}, not {fmt!r}")
    f = score_filters(db, actor, year, level, node, spec)
    frame = scores(db, f["actor"], f["year"], level=f["level"], spec=spec, node=f["node"])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return len(frame)
