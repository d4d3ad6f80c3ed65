"""What a country profile shows of media reuse: each `sp_state_media_reuse` value with its
method, its outlets and example matched pairs (the evidence behind it)."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from sharppower.measures.media.store import INDICATOR
from sharppower.measures.media.tables import media_outlets, media_pairs, media_runs
from sharppower.store import Database
from sharppower.store.tables import observations

EXAMPLES = 5


def _values(db: Database, iso3: str) -> pd.DataFrame:
    o, r = observations, media_runs
    stmt = (sa.select(o.c.actor, o.c.year, o.c.value, o.c.ci_low, o.c.ci_high, o.c.n, o.c.source,
                      o.c.note, o.c.flags, r.c.run, r.c.method)
            # a corpus import's run is the observation's source_file; the pilot's its source
            .join(r, sa.and_(r.c.origin == o.c.source,
                             sa.or_(r.c.run == o.c.source_file, r.c.run == o.c.source)), isouter=True)
            .where((o.c.indicator == INDICATOR) & (o.c.target == iso3))
            .order_by(o.c.year.desc(), o.c.actor))
    return db.read(stmt)


def _outlets(db: Database, run: str, iso3: str, year: int, actor: str) -> list[dict]:
    t = media_outlets
    stmt = (sa.select(t.c.outlet, t.c.articles, t.c.reused, t.c.rate, t.c.ci_low, t.c.ci_high,
                      t.c.attributed, t.c.unattributed, t.c.reattributed, t.c.top_wire)
            .where((t.c.run == run) & (t.c.country == iso3) & (t.c.year == year) & (t.c.actor == actor))
            .order_by(t.c.reused.desc(), t.c.outlet))
    return db.read(stmt).to_dict("records")


def _pairs(db: Database, run: str, iso3: str, year: int, actor: str, limit: int) -> list[dict]:
    t = media_pairs
    stmt = (sa.select(t.c.local_outlet, t.c.local_date, t.c.local_url, t.c.wire_outlet, t.c.wire_url,
                      t.c.containment, t.c.attribution, t.c.credit)
            .where((t.c.run == run) & (t.c.country == iso3) & (t.c.year == year) & (t.c.actor == actor))
            .order_by(t.c.local_date.desc(), t.c.id).limit(limit))
    return db.read(stmt).to_dict("records")


def media_profile(db: Database, iso3: str, examples: int = EXAMPLES) -> list[dict]:
    """One dict per value: actor, year, value, ci_low, ci_high, n, source, note, method, run,
    outlets (list of dicts) and pairs (up to `examples` matched pairs)."""
    out = []
    for row in _values(db, iso3).to_dict("records"):
        row = {k: (None if not isinstance(v, (list, dict)) and pd.isna(v) else v) for k, v in row.items()}
        run = row["run"]
        row["outlets"] = _outlets(db, run, iso3, row["year"], row["actor"]) if run else []
        row["pairs"] = _pairs(db, run, iso3, row["year"], row["actor"], examples) if run else []
        out.append(row)
    return out
