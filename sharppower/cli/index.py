"""Commands of the composite index: build, show, components, sensitivity, export."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
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
from sharppower.errors import NotFound

app = typer.Typer(help="Composite index: build, show, sensitivity, export.",
                  no_args_is_help=True)

SPEC_OPTION = typer.Option(None, "--spec", help="Index spec YAML (default: the packaged "
                           "sharppower/specs/influence.yaml).")

OUT_OPTION = typer.Option(..., "--out", help="File to write.")


@app.command("build")
def build(spec: Path = SPEC_OPTION, runs: int = typer.Option(
              None, "--runs", help="Monte Carlo replications (default: the spec's)."),
          db: str = DB_OPTION, json_out: bool = JSON_OPTION) -> None:
    """Compute scores, ranks and rank intervals for every actor x target x year; store them."""
    from sharppower.index import build_index, load_spec
    from sharppower.index.build import spare_core

    with user_errors():
        # one build in this process: the latent fits run in a worker beside the Monte
        # Carlo where a core is left for it
        built = build_index(open_db(db), load_spec(spec), runs=runs, latent_worker=spare_core())
        indicators = built.indicators if built.indicators is not None else pd.DataFrame()
        if json_out:
            print_json({"run_id": built.run_id, **built.summary,
                        "indicators": indicators.to_dict("records")})
            return
        s = built.summary
        console.print(f"index {s['spec']}: {s['units']} units, run {built.run_id}")
        if built.run_id is not None:
            console.print(f"screened out: {s['screened']['units']} unit-pillar cells, "
                          f"{s['screened']['indicators']} indicator-years; imputed "
                          f"{s['imputed']} values; winsorised {s['winsorised']} points; "
                          f"{s['log_transformed']} log transforms")
        if not indicators.empty:
            shown = indicators.drop(columns=["warning"]).round({"correlation": 2})
            print_table(shown, title="Indicators (correlation: with their own pillar)")
        for w in s["warnings"]:
            console.print(f"[yellow]warning[/] {w}", highlight=False)


@app.command("show")
def show(actor: str = typer.Option(..., "--actor", help="Actor ISO3, e.g. CHN."),
         year: int = typer.Option(None, "--year", help="Year of the scores, e.g. 2021 "
                                  "(default: the actor's default year, as the dashboard shows)."),
         level: str = typer.Option("index", "--level", help="index | pillar | domain"),
         node: str = typer.Option(None, "--node", help="One index, pillar or domain."),
         db: str = DB_OPTION, json_out: bool = JSON_OPTION) -> None:
    """Scores and ranks (with 5-95% rank intervals) of every target for one actor-year."""
    from sharppower.codebook import actor_code
    from sharppower.index.nodes import default_year
    from sharppower.index.report import left_out, target_report

    with user_errors():
        actor = actor_code(actor, "--actor")  # CHN or chn; an unknown one is named
        store = open_db(db)
        if year is None:
            year = default_year(store, actor)
            if year is None:
                raise NotFound(f"no stored index run scores {actor}: run `sharppower index "
                               "build` first")
            if not json_out:
                console.print(f"{actor} {year}: the default year (the latest year ranking "
                              "enough targets on mostly current data); --year picks another",
                              highlight=False)
        rows = target_report(store, actor, year, level, node)
        if not rows and not json_out:
            raise NotFound(f"no {level} score for {actor} in {year} in the stored run")
        out = left_out(store, actor, year, level, node)
    if json_out:
        print_json(rows)
        return
    df = pd.DataFrame({
        "node": [r["node"] for r in rows], "target": [r["target"] for r in rows],
        "score": [r["said"]["value"] for r in rows],
        "95% interval": [r["said"]["interval"] or r["said"]["note"] for r in rows],
        "rank (90% interval)": [r["said"]["rank"] for r in rows],
        "coverage": [f"{r['coverage']:.0%}" if r.get("coverage") is not None else ""
                     for r in rows]})
    print_table(df, title=f"{actor} {year}: {level} scores, 0-100 (rank 1 = highest)")
    for (n, thr), group in out.groupby(["node", "threshold"]):
        what = group["reason"].iloc[0].rpartition("(")[2].rstrip(")")
        console.print(f"not ranked at {n}, {len(group)} targets with less than {thr:.0%} "
                      f"({what}): " + ", ".join(
                          f"{t} {c:.0%}" for t, c in zip(group["target"], group["coverage"])),
                      highlight=False)


@app.command("components")
def components(actor: str = typer.Option(None, "--actor", help="One actor ISO3 (default: all)."),
               db: str = DB_OPTION, json_out: bool = JSON_OPTION) -> None:
    """Per actor, the pillars, domains, indicators and sources its stored scores rest on."""
    from sharppower.index.components import components_by_actor

    with user_errors():
        table = components_by_actor(open_db(db))
        if actor:
            table = table[table["actor"] == actor.upper()]
            if table.empty:
                raise NotFound(f"no component for actor {actor} in the stored run")
    if json_out:
        print_json(table.to_dict("records"))
        return
    shown = table.assign(indicators=table["indicators"].map(", ".join),
                         sources=table["sources"].map(", ".join))
    print_table(shown, title="Components each actor's scores rest on (observed cells)")


@app.command("sensitivity")
def sensitivity(runs: int = typer.Option(..., "--runs", help="Base samples N (N x (F + 2) "
                                         "model evaluations for F choices)."),
                level: str = typer.Option("index", "--level", help="index | pillar | domain"),
                actor: str = typer.Option(None, "--actor", help="One actor only (not stored)."),
                spec: Path = SPEC_OPTION,
                seed: int = typer.Option(None, "--seed", help="Random seed (default: the "
                                         "spec's uncertainty.seed)."),
                db: str = DB_OPTION, json_out: bool = JSON_OPTION) -> None:
    """First- and total-order sensitivity indices of the ranks to each uncertain choice."""
    from sharppower.index.report import sensitivity_report

    with user_errors():
        table = sensitivity_report(open_db(db), runs, spec, seed, actor)
    table = table[table["level"] == level] if level else table
    if json_out:
        print_json(table)
        return
    shown = table[["actor", "node", "factor", "first_order", "total_order"]].copy()
    shown[["first_order", "total_order"]] = shown[["first_order", "total_order"]].round(3)
    print_table(shown, title=f"Sensitivity of the ranks ({runs} base samples)")


@app.command("export")
def export(fmt: str = typer.Option("csv", "--format", help="csv | parquet"),
           out: Path = OUT_OPTION,
           actor: str = typer.Option(None, "--actor", help="One actor only, e.g. CHN."),
           year: int = typer.Option(None, "--year", help="One year only, e.g. 2020."),
           level: str = typer.Option(None, "--level", help="index | pillar | domain only."),
           node: str = typer.Option(None, "--node", help="One index, pillar or domain only, "
                                    "e.g. pressure."),
           db: str = DB_OPTION) -> None:
    """Export the stored scores and rank intervals as CSV or Parquet: every level, or one
    actor, year, level or node (`--actor CHN --year 2020 --level pillar --node pressure`)."""
    from sharppower.index import export_scores

    with user_errors():
        n = export_scores(open_db(db), out, fmt, actor=actor, year=year, level=level, node=node)
    console.print(f"wrote {n} rows to {out}", highlight=False)
