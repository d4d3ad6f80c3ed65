"""`sharppower opinion ...`: favourability estimates with intervals, changes, medians, flags,
and the imports (toplines CSV, Pew SPSS waves). Each command calls one library function."""

from __future__ import annotations

import numpy as np
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
from sharppower.measures import opinion

app = typer.Typer(help="Attraction: favourability of actors among foreign publics (Pew).",
                  no_args_is_help=True)

SHOW_FIELDS = ["actor", "public", "year", "n", "favorable", "unfavorable", "very_unfavorable",
               "net", "dk", "unfavorable_ci_low", "unfavorable_ci_high", "favorable_ci_low",
               "favorable_ci_high", "flags"]
BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float], low: float = 0.0, high: float = 100.0,
              suspect: list[bool] | None = None) -> str:
    """A one-line trend: one block per wave, height by value between low and high;
    a suspect wave shows as "×"."""
    span = (high - low) or 1.0
    suspect = suspect or [False] * len(values)
    return "".join("×" if bad else BARS[min(len(BARS) - 1, max(0, int((v - low) / span * len(BARS))))]
                   for v, bad in zip(values, suspect))


# the changes of the unfavourable share the table shows (Δ unfav, Δ vs <base year>):
# record field <- column of `opinion.changes`
CHANGE_FIELDS = {"unfavorable_prev_year": "prev_year", "unfavorable_change": "change",
                 "unfavorable_change_significant": "significant",
                 "unfavorable_historic_high": "historic_high", "base_year": "base_year",
                 "unfavorable_change_base": "change_base",
                 "unfavorable_change_base_significant": "significant_base"}


def show_records(est: pd.DataFrame, chg: pd.DataFrame) -> list[dict]:
    """The --json records of `opinion show` (percent, 2 decimals), with the changes of the
    unfavourable share against the previous wave and the base year (CHANGE_FIELDS)."""
    by_year = {int(r["year"]): r for r in chg.to_dict("records")}
    records = []
    for row in est.to_dict("records"):
        rec = {k: row[k] for k in SHOW_FIELDS}
        rec["year"], rec["n"] = int(rec["year"]), int(rec["n"])
        for k in SHOW_FIELDS[4:-1]:
            rec[k] = None if pd.isna(rec[k]) else round(float(rec[k]), 2)
        change = by_year.get(rec["year"], {})
        rec.update({f: _plain(change.get(c), f) for f, c in CHANGE_FIELDS.items()})
        records.append(rec)
    return records


def _plain(value, field: str):
    """A change value as JSON: None when missing, years as int, flags as bool, else 2 decimals."""
    if value is None or pd.isna(value):
        return None
    if field.endswith("year"):
        return int(value)
    if isinstance(value, (bool, np.bool_)) or field.endswith(("significant", "high")):
        return bool(value)
    return round(float(value), 2)


def _interval(value: float, low: float, high: float) -> str:
    return f"{value:.1f} [{low:.0f}-{high:.0f}]"


def show_table(est: pd.DataFrame, chg: pd.DataFrame) -> pd.DataFrame:
    cols = ["actor", "public", "year", "change", "significant", "historic_high", "base_year",
            "change_base", "significant_base"]
    merged = est.merge(chg[cols], on=["actor", "public", "year"], how="left")
    def change(r) -> str:
        if pd.isna(r.change):
            return ""
        return f"{r.change:+.1f}{'*' if r.significant else ''}{'↑' if r.historic_high else ''}"
    def against_base(r) -> str:
        if pd.isna(r.change_base):
            return ""
        return f"{r.change_base:+.1f}{'*' if r.significant_base else ''}"
    table = pd.DataFrame({
        "year": merged["year"], "n": merged["n"],
        "fav [95% CI]": [_interval(*v) for v in zip(merged["favorable"], merged["favorable_ci_low"],
                                                   merged["favorable_ci_high"])],
        "unfav [95% CI]": [_interval(*v) for v in zip(merged["unfavorable"], merged["unfavorable_ci_low"],
                                                     merged["unfavorable_ci_high"])],
        "v.unfav": merged["very_unfavorable"].round(1), "net": merged["net"].round(1),
        "dk": merged["dk"].round(1),
        "Δ unfav": [change(r) for r in merged.itertuples()],
        "flags": [", ".join(f) for f in merged["flags"]],
    })
    base = merged["base_year"].dropna()
    if len(base):
        table.insert(8, f"Δ vs {int(base.iloc[0])}", [against_base(r) for r in merged.itertuples()])
    return table


@app.command("show")
def show(
    actor: str = typer.Option(..., "--actor", help="Rated state (ISO3), e.g. CHN."),
    public: str = typer.Option(..., "--public", help="Surveyed public (ISO3), e.g. SWE."),
    year: int = typer.Option(None, "--year", help="Only this year (default: every wave)."),
    base_year: int = typer.Option(None, "--base-year", help="Also show the change since this year."),
    db: str = DB_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Estimates with 95% intervals, change against the previous wave (and a base year),
    z-tested on the design-based standard errors, and quality flags."""
    with user_errors():
        database = open_db(db)
        est = opinion.estimates(database, actor.upper(), public.upper())
        chosen = est if year is None else est[est["year"] == year]
        chg = opinion.changes(database, actor.upper(), public.upper(), base_year=base_year)
        if json_out:
            print_json(show_records(chosen, chg))
            return
        if chosen.empty:
            console.print(f"No estimate for {actor.upper()} among {public.upper()}"
                          f"{f' in {year}' if year else ''}.")
            return
        print_table(show_table(chosen, chg), title=f"Views of {actor.upper()} in {public.upper()} "
                    "(percent, 95% interval; * = significant change, p < 0.05; "
                    "↑ = historic high)")
        suspect = ["suspect" in f for f in est["flags"]]
        console.print(f"unfavourable {est['year'].min()}-{est['year'].max()}: "
                      f"{sparkline(est['unfavorable'].tolist(), suspect=suspect)}  "
                      f"({' '.join(str(y)[2:] for y in est['year'])})")


@app.command("medians")
def medians(
    actor: str = typer.Option(None, "--actor", help="Rated state (ISO3)."),
    year: int = typer.Option(None, "--year", help="Survey year."),
    db: str = DB_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Cross-public medians per year (self-ratings and suspect waves left out)."""
    with user_errors():
        df = opinion.medians(open_db(db), actor.upper() if actor else None, year)
        if json_out:
            print_json(df)
            return
        print_table(df.round(1), title="Medians across publics (percent)")


@app.command("flags")
def flags(
    actor: str = typer.Option(None, "--actor", help="Rated state (ISO3)."),
    db: str = DB_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Findings of the data-quality checks (flagged cells are left out of the index)."""
    with user_errors():
        df = opinion.quality_flags(open_db(db), actor.upper() if actor else None)
        if json_out:
            print_json(df)
            return
        print_table(df, title="Opinion data-quality findings")


def _report(result) -> None:
    console.print(f"{result.source}: {result.status}, {result.rows} observations, "
                  f"{result.countries} publics, {result.years_text}")
    for w in result.warnings:
        console.print(f"[yellow]warning[/] {w}", highlight=False)


@app.command("import-toplines")
def import_toplines(
    file: str = typer.Argument(..., help="CSV: actor, public, year, question, response, "
                               "percent, n, source_url."),
    db: str = DB_OPTION,
) -> None:
    """Import published toplines (validated; all rows or none)."""
    with user_errors():
        _report(opinion.import_toplines(open_db(db), file))


@app.command("import-wave")
def import_wave(
    file: str = typer.Argument(..., help="Pew Global Attitudes SPSS file (.sav)."),
    mapping: str = typer.Option(..., "--mapping", help="YAML column mapping (see "
                                "sharppower/measures/opinion/mappings/)."),
    db: str = DB_OPTION,
) -> None:
    """Import one of Pew's SPSS waves through a column mapping (validated; all or nothing)."""
    with user_errors():
        _report(opinion.import_wave(open_db(db), file, mapping))
