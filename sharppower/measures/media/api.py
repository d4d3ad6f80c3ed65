"""The library functions behind `sharppower media match|report|import|synth`."""

from __future__ import annotations

from pathlib import Path

from sharppower.errors import InputError
from sharppower.measures.media.attribution import load_rules
from sharppower.measures.media.corpus import ON_ERROR
from sharppower.measures.media.engine_local import MatchResult, match_local
from sharppower.measures.media.importing import Report, build_report, import_run
from sharppower.measures.media.matchfile import write_matches
from sharppower.measures.media.params import MatchParams
from sharppower.measures.media.synth import synth_corpus
from sharppower.store import Database

ENGINES = ("local", "spark")
MAX_WORKERS = 512


def match(wire: str | Path, local: str | Path, out: str | Path, engine: str = "local",
          params: MatchParams | None = None, rules: str | Path | None = None,
          on_error: str = "fail", workers: int | None = None,
          master: str = "local[2]") -> MatchResult:
    """Match the corpora with the chosen engine and write the match file (atomically)."""
    if engine not in ENGINES:
        raise InputError("--engine", f"must be one of {', '.join(ENGINES)}, not {engine!r}")
    if on_error not in ON_ERROR:
        raise InputError("--on-error", f"must be one of {', '.join(ON_ERROR)}, not {on_error!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or not 1 <= workers <= MAX_WORKERS):
        raise InputError("--workers", f"must be a whole number from 1 to {MAX_WORKERS}, "
                         f"not {workers!r}")
    if params is not None and not isinstance(params, MatchParams):
        raise TypeError("params must be a MatchParams (its values are checked when made)")
    loaded = load_rules(str(rules) if rules else None)
    if engine == "spark":
        from sharppower.measures.media.engine_spark import match_spark, spark_session

        result = match_spark(spark_session(master), str(wire), str(local), params, loaded, on_error)
    else:
        result = match_local(wire, local, params, loaded, on_error, workers)
    write_matches(result.matches, out)
    return result


def report(matches: str | Path, local: str | Path, actors: list[str] | None = None,
           weighting: str = "articles") -> Report:
    return build_report(matches, local, actors, weighting)


def import_matches(db: Database, matches: str | Path, local: str | Path, run: str | None = None,
                   actors: list[str] | None = None, weighting: str = "articles") -> tuple[Report, int]:
    """Store the country-year rates of a corpus as run `run` (default: the local file's name)."""
    rep = build_report(matches, local, actors, weighting)
    name = run or Path(local).name.split(".")[0]
    return rep, import_run(db, rep, name, str(local))


def synth(out_dir: str | Path, n_local: int = 2000, n_wire: int | None = None, seed: int = 0,
          gz: bool = False) -> dict[str, Path]:
    return synth_corpus(out_dir, n_local, n_wire, seed, gz=gz)
