"""The measures a page can show, named as the analysis library names them
(`sharppower.analysis.common.measure`): the influence index, a pillar or a domain of the
index (``index:<level>:<name>``), or any codebook indicator code."""

from __future__ import annotations

import sqlalchemy as sa

from sharppower.errors import NotFound, ValidationError
from sharppower.index.nodes import run_nodes
from sharppower.store import Database
from sharppower.web.actorscores import score_filters
from sharppower.web.lookup import codebook
from sharppower.web.memo import Memo, no_memo

INDEX = "index:index:influence"
KINDS = {"index": "", "pillar": "Pillar: ", "domain": "Domain: "}


def measure_options(db: Database | None = None) -> list[dict]:
    """Every measure with its label, kind (index, pillar, domain, indicator) and unit: the
    stored run's indices, pillars and domains, then every codebook indicator."""
    options = [{"code": f"index:{n['level']}:{n['node']}", "label": KINDS[n["level"]] + n["label"],
                "kind": n["level"], "unit": "score"} for n in run_nodes(db)]
    for row in codebook().indicators.itertuples(index=False):
        options.append({"code": row.code, "label": f"Indicator: {row.name}",
                        "kind": "indicator", "unit": row.unit})
    return options


def describe(code: str, db: Database | None = None) -> dict:
    """The option for one measure code (ValidationError naming the field when unknown)."""
    for option in measure_options(db):
        if option["code"] == code:
            return option
    raise ValidationError("measure", f"unknown measure {code!r}: the influence index "
                          f"({INDEX}), index:pillar:<pillar>, index:domain:<domain> or an "
                          "indicator code of the codebook (see /methodology.json)")


def codes_with_data(db: Database, actor: str, memo: Memo = no_memo) -> set[str]:
    """The measure codes with any value for `actor`: indicators it (or a target-only
    covariate) has an observation of, and the index, pillar and domain nodes the stored
    run scores it on (`web.actorscores.score_filters`); each read once for every actor
    per store version."""
    observed = memo(("observed_codes",), lambda: _observed_codes(db))
    codes = set().union(*(observed.get(a, set()) for a in (actor, None, "")))
    try:
        held = score_filters(db, memo)
    except (NotFound, sa.exc.SQLAlchemyError):  # no run stored (or no index tables)
        return codes
    mine = held[held["actor"] == actor]
    return codes | {f"index:{level}:{node}" for level, node in zip(mine["level"], mine["node"])}


def _observed_codes(db: Database) -> dict[str | None, set[str]]:
    """actor (None or '' for a target-only covariate) -> indicators with a value."""
    out: dict[str | None, set[str]] = {}
    with db.connect() as conn:
        for actor, code in conn.execute(sa.text(
                "SELECT DISTINCT actor, indicator FROM observations WHERE value IS NOT NULL")):
            out.setdefault(actor, set()).add(code)
    return out


def options_with_data(db: Database, actor: str, keep: str | None = None,
                      memo: Memo = no_memo) -> list[dict]:
    """`measure_options` the map can draw for `actor` (never an empty map): those with
    data (`codes_with_data`), and `keep` (the measure shown) in any case."""
    have = codes_with_data(db, actor, memo)
    return [o for o in measure_options(db) if o["code"] in have or o["code"] == keep]
