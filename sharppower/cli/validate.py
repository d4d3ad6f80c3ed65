"""Command: validate the stored index against an external country-level index."""

from __future__ import annotations

from pathlib import Path

import typer

from sharppower.cli.common import (
    DB_OPTION,
    JSON_OPTION,
    console,
    open_db,
    print_json,
    print_table,
    user_errors,
)


def validate(
    against: Path = typer.Option(None, "--against", help="CSV of an external index: a country "
                                 "column (name or ISO3) and a score column."),
    actor: str = typer.Option(None, "--actor", help="Actor ISO3, e.g. CHN (with --internal: "
                              "default every actor)."),
    internal: bool = typer.Option(False, "--internal", help="Leave-one-source-out instead: "
                                  "for each source of a latent pillar, fit the latent model "
                                  "without it and report how well the score predicts that "
                                  "source (Spearman r and n per actor); stored."),
    year: int = typer.Option(None, "--year", help="Year of the stored scores, e.g. 2021 "
                             "(default: the actor's default year, as the dashboard shows)."),
    level: str = typer.Option(None, "--level", help="Only this level: index | pillar | domain "
                              "(default: all)."),
    node: str = typer.Option(None, "--node", help="Node whose ranking the disagreement list "
                             "compares (default: the index)."),
    top: int = typer.Option(10, "--top", help="Largest disagreements to list."),
    boot: int = typer.Option(1000, "--boot", help="Bootstrap resamples for the 95% intervals."),
    db: str = DB_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Spearman and Kendall (bootstrap 95% intervals) of the index, each pillar and each
    component against an external index; the largest disagreements; the internal view.
    With --internal: leave-one-source-out agreement of the latent pillars."""
    from sharppower.analysis.validity import validate as run
    from sharppower.errors import InputError, NotFound
    from sharppower.index.nodes import default_year

    if internal:
        _internal(db, actor, json_out)
        return
    with user_errors():
        if against is None or actor is None:
            missing = [o for o, v in (("--against", against), ("--actor", actor)) if v is None]
            raise InputError(" and ".join(missing), "missing: --against takes the external "
                             "index's CSV, --actor the actor it scores (or give --internal)")
        store = open_db(db)
        year = year if year is not None else default_year(store, actor.upper())
        if year is None:
            raise NotFound(f"no stored index run scores {actor}: run `sharppower index build` "
                           "first")
        result = run(store, against, actor.upper(), year, level=level, node=node,
                     top=top, boot=boot)
    if json_out:
        print_json(result.to_dict())
        return
    console.print(f"{result.actor} {result.year} against {result.external_file}: "
                  f"{result.n_external} countries resolved", highlight=False, markup=False)
    for label, names in (("not resolved", result.unresolved), ("skipped", result.skipped)):
        if names:
            console.print(f"{label}: {', '.join(names)}", highlight=False, markup=False)
    print_table(agreement_table(result.correlations),
                title="Rank agreement with the external index (95% bootstrap intervals)")
    if not result.methods.empty:
        print_table(result.methods.round(3), title="Composite vs latent: the scores shown "
                    "(latent measurement model) and the weighted-arithmetic composite")
    print_table(result.disagreements.round(3).rename(columns=DISAGREEMENT_HEADS),
                title="Largest disagreements (percentile gap: ours minus theirs)")
    print_table(result.internal.round(3).rename(columns=INTERNAL_HEADS),
                title="Internal view: components against their pillar and the index")


DISAGREEMENT_HEADS = {"score": "our score", "rank": "our rank", "external": "theirs",
                      "external_rank": "their rank", "percentile": "our pct",
                      "external_percentile": "their pct"}
INTERNAL_HEADS = {"share_scored": "share scored", "corr_parent": "r parent",
                  "corr_index": "r index"}


def _value(v) -> str:
    import math

    return "" if v is None or math.isnan(float(v)) else str(round(float(v), 3))


def agreement_table(frame):
    """Correlations as printed: each statistic with its interval in one column ('0.692
    [0.142, 0.95]'), every number as `round(x, 3)` gives it (the --json values)."""
    import pandas as pd

    def stat(name: str) -> list[str]:
        return [f"{_value(v)} [{_value(lo)}, {_value(hi)}]" if _value(lo) else _value(v)
                for v, lo, hi in zip(frame[name], frame[f"{name}_low"], frame[f"{name}_high"])]

    return pd.DataFrame({"level": frame["level"], "node": frame["node"], "n": frame["n"],
                         "Spearman [95%]": stat("spearman"), "Kendall [95%]": stat("kendall")})


def _internal(db: str, actor: str | None, json_out: bool) -> None:
    from sharppower.analysis.validity import leave_one_source_out

    with user_errors():
        table = leave_one_source_out(open_db(db), [actor.upper()] if actor else None)
    if json_out:
        print_json(table.to_dict(orient="records"))
        return
    print_table(table.round(3), title="Leave-one-source-out: the latent score fitted without "
                "a source against that source's indicator (Spearman r, n target-years)")


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
