"""`sharppower media ...`: state-media text reused by local outlets (sharppower.measures.media).

Each command parses its options, calls one library function and renders the result."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

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
from sharppower.measures import media
from sharppower.measures.media.params import MatchParams

app = typer.Typer(help="Media capture measured from text: state-media articles republished "
                  "by local outlets.", no_args_is_help=True)

Wire = Annotated[Path, typer.Option("--wire", help="State-media corpus (JSON Lines, gzip ok).")]
Local = Annotated[Path, typer.Option("--local", help="Local outlets' corpus (JSON Lines, gzip ok).")]
Matches = Annotated[Path, typer.Option("--matches", help="Match file written by `media match`.")]
Actors = Annotated[list[str] | None, typer.Option(
    "--actor", help="Actor (ISO3) to report; repeat. Default: the actors in the matches.")]
Weighting = Annotated[str, typer.Option(
    "--weighting", help="How outlets weigh in a country rate: articles (pooled) or equal.")]
Json = Annotated[bool, typer.Option("--json", help=JSON_OPTION.help)]
DEFAULTS = MatchParams()


def _params(shingle: int, num_perm: int, bands: int, min_containment: float,
            min_jaccard: float, lookback: int) -> MatchParams:
    return MatchParams(shingle=shingle, num_perm=num_perm, bands=bands,
                       min_containment=min_containment, min_jaccard=min_jaccard,
                       lookback_days=lookback)


@app.command("match")
def match_cmd(
    wire: Wire, local: Local,
    out: Annotated[Path, typer.Option("--out", help="Match file to write (JSON Lines).")],
    engine: Annotated[str, typer.Option("--engine", help="local (all cores) or spark.")] = "local",
    on_error: Annotated[str, typer.Option("--on-error", help="A malformed line: fail (default) "
                                          "or skip it with a warning.")] = "fail",
    workers: Annotated[int | None, typer.Option("--workers", help="Local engine: processes "
                                                "(default: every core).")] = None,
    master: Annotated[str, typer.Option("--master", help="Spark engine: master URL.")] = "local[2]",
    rules: Annotated[Path | None, typer.Option("--rules", help="Attribution rules YAML "
                                               "(default: the packaged attribution.yaml).")] = None,
    shingle: Annotated[int, typer.Option(help="Words per shingle.")] = DEFAULTS.shingle,
    num_perm: Annotated[int, typer.Option(help="MinHash permutations.")] = DEFAULTS.num_perm,
    bands: Annotated[int, typer.Option(help="LSH bands (must divide num-perm).")] = DEFAULTS.bands,
    min_containment: Annotated[float, typer.Option(
        help="Least share of the wire article's shingles in the local one.")] = DEFAULTS.min_containment,
    min_jaccard: Annotated[float, typer.Option(help="Least Jaccard of the shingle sets.")] = DEFAULTS.min_jaccard,
    lookback: Annotated[int, typer.Option(help="Days a local article may follow its source.")] = DEFAULTS.lookback_days,
) -> None:
    """Find local articles that reuse state-media articles; one line per match."""
    with user_errors():
        started = time.perf_counter()
        result = media.match(wire, local, out, engine, _params(
            shingle, num_perm, bands, min_containment, min_jaccard, lookback), rules, on_error,
            workers, master)
    for message in result.skipped:
        console.print(f"[yellow]skipped:[/] {message}", highlight=False)
    console.print(f"{len(result.matches)} matches among {result.local_articles} local and "
                  f"{result.wire_articles} wire articles ({engine}, "
                  f"{time.perf_counter() - started:.1f} s) -> {out}", highlight=False)


def _show(rep, json_out: bool) -> None:
    if json_out:
        print_json({"weighting": rep.weighting,
                    "outlets": rep.outlets.to_dict("records"),
                    "countries": rep.countries.to_dict("records")})
        return
    shown = ["outlet", "country", "year", "actor", "articles", "reused", "rate", "ci_low",
             "ci_high", "unattributed_share", "top_wire"]
    print_table(_rounded(rep.outlets[shown]), title="Reuse per local outlet (95% Wilson interval)")
    print_table(_rounded(rep.countries.drop(columns=["n_eff"])),
                title=f"Reuse per country-year (outlets weighted by {rep.weighting})")


def _rounded(df: pd.DataFrame) -> pd.DataFrame:
    return df.round(4)


@app.command("report")
def report_cmd(matches: Matches, local: Local, actor: Actors = None,
               weighting: Weighting = "articles", json_out: Json = False) -> None:
    """Reuse per local outlet and per country-year, with intervals and attribution."""
    with user_errors():
        rep = media.report(matches, local, actor, weighting)
    _show(rep, json_out)


@app.command("import")
def import_cmd(matches: Matches, local: Local, actor: Actors = None,
               weighting: Weighting = "articles",
               run: Annotated[str | None, typer.Option(
                   "--run", help="Name of this import (default: the local file's name); "
                   "importing the same name again replaces it.")] = None,
               db: Annotated[str | None, typer.Option("--db", help=DB_OPTION.help)] = None,
               json_out: Json = False) -> None:
    """Store the country-year rates as sp_state_media_reuse, with their matched pairs."""
    with user_errors():
        rep, n = media.import_matches(open_db(db), matches, local, run, actor, weighting)
    if json_out:
        print_json({"observations": n, "countries": rep.countries.to_dict("records")})
        return
    console.print(f"{n} sp_state_media_reuse observations stored "
                  f"({len(rep.matches)} matched pairs)", highlight=False)


@app.command("synth")
def synth_cmd(
    out: Annotated[Path, typer.Option("--out", help="Folder for wire, local and truth files.")],
    local: Annotated[int, typer.Option("--local", help="Number of local articles.")] = 2000,
    wire: Annotated[int | None, typer.Option("--wire", help="Number of wire articles "
                                             "(default: a fifth of --local).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    gz: Annotated[bool, typer.Option("--gz", help="Write gzip files.")] = False,
) -> None:
    """Write a synthetic corpus with known truth (reprints with edits, non-reprints)."""
    with user_errors():
        paths = media.synth(out, local, wire, seed, gz)
    for kind, path in paths.items():
        console.print(f"{kind}: {path}", highlight=False)


__all__ = ["app"]
