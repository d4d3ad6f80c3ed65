"""The measures a page can show, named as the analysis library names them
(`sharppower.analysis.common.measure`): the influence index, a pillar or a domain of the
index (``index:<level>:<name>``), or any codebook indicator code."""

from __future__ import annotations

from sharppower.errors import ValidationError
from sharppower.index.nodes import run_nodes
from sharppower.store import Database
from sharppower.web.lookup import codebook

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


def codes_with_data(db: Database, actor: str) -> set[str]:
    """The measure codes with any value for `actor`: indicators it (or a target-only
    covariate) has an observation of, and the index, pillar and domain nodes the stored
    run scores it on."""
    import sqlalchemy as sa

    with db.connect() as conn:
        codes = {r[0] for r in conn.execute(sa.text(
            "SELECT DISTINCT indicator FROM observations WHERE value IS NOT NULL AND "
            "(actor = :a OR actor IS NULL OR actor = '')"), {"a": actor})}
        try:
            nodes = conn.execute(sa.text(
                "SELECT DISTINCT s.level, s.node FROM index_scores s WHERE s.actor = :a "
                "AND s.run_id = (SELECT MAX(id) FROM index_runs)"), {"a": actor}).all()
        except sa.exc.SQLAlchemyError:
            nodes = []
    return codes | {f"index:{level}:{node}" for level, node in nodes}


def options_with_data(db: Database, actor: str, keep: str | None = None) -> list[dict]:
    """`measure_options` the map can draw for `actor` (never an empty map): those with
    data (`codes_with_data`), and `keep` (the measure shown) in any case."""
    have = codes_with_data(db, actor)
    return [o for o in measure_options(db) if o["code"] in have or o["code"] == keep]
