"""Global Sanctions Data Base (GSDB), release 3: formal sanctions in force per sender x
target x year, 1950-2022, for every declared actor.

The published file `GSDB_V3.csv` (UTF-8 with BOM) has one row per case: sanctioned_state,
sanctioning_state (English names, several joined by commas), begin and end (years,
inclusive; end 2022 = ongoing at the cut-off). Each case is expanded over begin..end:
- `sanctions_formal`: 1 when at least one case of the actor against the target is in force
  in the year (binary);
- `sanctions_count`: the number of such cases.
Rules: lists of senders and targets are split (`name_lists.split_names` keeps "Korea,
North" whole); an actor is a sender whose name resolves to it; Russia is the Soviet Union
before 1992 (flag `actor_ussr`, as the other connectors); blocs as senders (EU, UN, EEU,
...) are no actor: Russia inside the Eurasian Economic Union is not Russia alone, so a case
the EEU imposes gives Russia no row. Blocs as targets declared in `gsdb_sanctions.yaml`
(EU, EEC, EEU) are expanded to their members in the year (flag `bloc_target`): Russia's
2014 food embargo against the EU is a sanction against each member state; other
non-country targets (groups, organisations, "Western countries") are skipped with a
counted warning. Only non-zero rows are produced: the universe (every target, 1950-2022)
says that a target-year without a case had none in force.

Only **substantive** cases count as pressure (`substantive`), decided from the published
case-type dummies and objectives:
- at least one of the types `trade`, `financial`, `arms` or `military` (an embargo, an
  asset or finance restriction, an arms embargo, a suspension of military assistance);
  cases that are only `travel` (visa bans on named persons) or only `other` are left out;
- and at least one political objective (policy_change, democracy, human_rights, end_war,
  prevent_war, territorial_conflict, destab_regime, terrorism): a case whose only
  objective is `other` is left out. In release 3 those are mostly measures against
  criminals *in* a country (the United States' narcotics-kingpin designations in Costa
  Rica, Panama, Belize, Colombia, ... 2011-2022) and sanitary or commercial bans (China's
  2003-2016 Canadian beef ban), not pressure on its government.
The cases left out are counted in a warning with their ids per actor.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from sharppower.countries import CountryResolver, resolver
from sharppower.sources import readers
from sharppower.sources.actors import declared, missing_warnings
from sharppower.sources.base import Source, SourceFile, Universe
from sharppower.sources.name_lists import split_names
from sharppower.sources.snapshot import Snapshot
from sharppower.yaml_load import safe_load

FILE = "GSDB_V3.csv"
COMMIT = "156e000abc8d1263fbb2547477d2c4c11586bf43"
TYPES = ["trade", "financial", "arms", "military"]
OBJECTIVES = {"policy_change", "democracy", "human_rights", "end_war", "prevent_war",
              "territorial_conflict", "destab_regime", "terrorism"}
REQUIRED = ["case_id", "sanctioned_state", "sanctioning_state", "begin", "end", *TYPES,
            "objective"]
FIRST, LAST = 1950, 2022
USSR_LAST_YEAR = 1991


@lru_cache(maxsize=1)
def _declared() -> dict:
    return safe_load((Path(__file__).with_suffix(".yaml")).read_text("utf-8"))


@lru_cache(maxsize=1)
def aliases() -> Mapping[str, str | None]:
    """GSDB name -> ISO3 (None: no state of its own), declared in the yaml (read-only)."""
    return MappingProxyType(dict(_declared()["aliases"]))


def resolve(name: str, res: CountryResolver) -> str | None:
    return aliases()[name] if name in aliases() else res.resolve(name)


@lru_cache(maxsize=1)
def blocs() -> Mapping[str, Mapping[str, tuple[int, int | None]]]:
    """Bloc name -> member ISO3 -> (first year, last year or None), from the yaml (read-only)."""
    data = _declared()
    return MappingProxyType({bloc: MappingProxyType({iso: (int(span[0]), span[1])
                                                     for iso, span in members.items()})
                             for bloc, members in data["blocs"].items()})


@cache
def members(bloc: str, year: int) -> tuple[str, ...]:
    """The ISO3 of the bloc's members in the year."""
    return tuple(iso for iso, (first, last) in blocs()[bloc].items()
                 if first <= year and (last is None or year <= last))


def substantive(df: pd.DataFrame) -> pd.Series:
    """True for the cases that count as pressure: a trade, financial, arms or military
    measure with at least one political objective (module docstring)."""
    typed = (df[TYPES] == 1).any(axis=1)
    aims = df["objective"].fillna("").map(
        lambda text: bool({a.strip() for a in str(text).split(",")} & OBJECTIVES))
    return typed & aims


def read_cases(path, res: CountryResolver) -> tuple[pd.DataFrame, list, list[str]]:
    """The cases, the cases left out and the warnings. The cases: one row per substantive
    case x sender name x target name x year in force: case_id, sender (ISO3 or None),
    target (ISO3), year, bloc (the bloc target expanded, or ''), _row. Left out: (case_id,
    its senders' ISO3) of each case that is not substantive."""
    df = readers.read_csv(path, FILE, REQUIRED, encoding="utf-8-sig")
    df = readers.integers(df, ["begin", "end", *TYPES], FILE)
    keep = substantive(df)
    left = [(rec.case_id, [resolve(n, res) for n in split_names(rec.sanctioning_state, res,
                                                                   aliases())])
            for rec in df[~keep].itertuples(index=False)]
    df = df[keep]
    rows, skipped = [], {}
    for rec in df.rename(columns={"_row": "row"}).itertuples(index=False):
        senders = [resolve(n, res) for n in split_names(rec.sanctioning_state, res, aliases())]
        for name in split_names(rec.sanctioned_state, res, aliases()):
            iso = resolve(name, res)
            if iso is None and name not in blocs():
                skipped.setdefault(name, []).append(rec.row)
                continue
            for year in range(max(rec.begin, FIRST), min(rec.end, LAST) + 1):
                targets = [iso] if iso else members(name, year)
                for sender in senders:
                    rows.extend((rec.case_id, sender, t, year, "" if iso else name, rec.row)
                                for t in targets)
    warnings = [f"{FILE}: {len(skipped)} sanctioned_state names that are no country and no "
                f"declared bloc skipped ({sum(map(len, skipped.values()))} cases): "
                + "; ".join(f"{n!r} rows {readers.row_ranges(r)}" for n, r in skipped.items())]
    out = pd.DataFrame(rows, columns=["case_id", "sender", "target", "year", "bloc", "_row"])
    return out, left, warnings if skipped else []


def left_warnings(left: list, actor: str) -> list[str]:
    """The actor's cases left out as not substantive (Russia: the Soviet Union's too)."""
    senders = {actor, "SUN"} if actor == "RUS" else {actor}
    ids = sorted({str(case) for case, names in left if senders & set(names)}, key=int)
    if not ids:
        return []
    return [(f"{FILE}: {actor}: {len(ids)} cases not substantive (only travel or 'other' "
             f"measures, or no political objective) left out: "
             f"{readers.shorten(', '.join(ids))}")]


def actor_cases(cases: pd.DataFrame, actor: str) -> pd.DataFrame:
    """The cases the actor sent (Russia: the Soviet Union before 1992), itself left out."""
    sender = cases["sender"]
    if actor == "RUS":
        mine = ((sender == "RUS") & (cases["year"] > USSR_LAST_YEAR)) | (
            (sender == "SUN") & (cases["year"] <= USSR_LAST_YEAR))
    else:
        mine = sender == actor
    return cases[mine & (cases["target"] != actor)
                 & ~((actor == "RUS") & (cases["target"] == "SUN"))]


def group_refs(cases: pd.DataFrame) -> tuple[dict, dict]:
    """Per (target, year) of the cases: its source_row ('rows 3-5; cases 2, 7') and the
    blocs its cases were against (', '-joined, '' when none)."""
    rows: dict = defaultdict(set)
    ids: dict = defaultdict(set)
    against: dict = defaultdict(set)
    for key, row, case, bloc in zip(zip(cases["target"], cases["year"]), cases["_row"],
                                    cases["case_id"], cases["bloc"]):
        rows[key].add(row)
        ids[key].add(case)
        if bloc:
            against[key].add(bloc)
    refs = {k: readers.shorten("rows " + readers.row_ranges(r) + "; cases "
                               + ", ".join(sorted(ids[k], key=int))) for k, r in rows.items()}
    return refs, {k: ", ".join(sorted(against[k])) for k in rows}


def parse(snapshot: Snapshot, res: CountryResolver | None = None,
          actors: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per declared actor x target x year with at least one sanction in force."""
    res, actors = res or resolver(), declared(actors)
    cases, left, warnings = read_cases(snapshot.path(FILE), res)
    parts = []
    for actor in actors:
        warnings += left_warnings(left, actor)
        mine = actor_cases(cases, actor)
        if mine.empty:
            continue
        grouped = mine.groupby(["target", "year"])
        part = grouped.agg(sanctions_count=("case_id", "nunique")).reset_index()
        part["sanctions_formal"] = 1.0
        keys = list(zip(part["target"], part["year"]))
        refs, against = group_refs(mine)
        part["source_row"] = [refs[k] for k in keys]
        flags = [f"bloc_target: a case against the {against[k]}" if against[k] else None
                 for k in keys]
        if actor == "RUS":
            flags = ["actor_ussr: sent by the Soviet Union" if y <= USSR_LAST_YEAR else f
                     for f, y in zip(flags, part["year"])]
        part["flags.sanctions_formal"] = part["flags.sanctions_count"] = flags
        parts.append(part.assign(actor=actor))
    df = pd.concat(parts, ignore_index=True)
    df["sanctions_count"] = df["sanctions_count"].astype(float)
    df["source_file"] = FILE
    warnings += missing_warnings(SOURCE.name, df, actors, "no case it sent")
    return readers.finish(df, warnings)


SOURCE = Source(
    name="gsdb-sanctions",
    actors="any",
    title="Global Sanctions Data Base (GSDB), release 3: sanction cases 1950-2022",
    publisher="Felbermayr, Kirilakha, Syropoulos, Yalcin and Yotov (Drexel University, Kiel "
    "Institute, Konstanz University of Applied Sciences, WIFO)",
    homepage="https://www.globalsanctionsdatabase.com/",
    licence="Free for research on request from the authors; redistribution of the file not "
    "permitted without their consent (unclear).",
    redistribute=(),
    citation="Felbermayr, G., Kirilakha, A., Syropoulos, C., Yalcin, E. and Yotov, Y. (2020), "
    "The Global Sanctions Data Base, European Economic Review 129; Syropoulos et al. (2024), "
    "Review of International Economics (release 3).",
    files=(SourceFile(
        FILE, f"https://raw.githubusercontent.com/macuriels/umass_dacss_datastorytelling/"
        f"{COMMIT}/GSDB_V3.csv", f"gsdb_sanctions/{FILE}"),),
    parse=parse,
    universe=Universe(years=(FIRST, LAST), note="The GSDB collects every formal sanction case "
                      "any sender imposed on any state 1950-2022."),
    coverage="1,325 cases 1950-2022; China sent 14, Russia 35 (and the Soviet Union 13)",
    notes="Formal, documented sanctions only: most of China's informal coercion is missing "
    "(see china-sanctions-monitor). Bloc targets (EU, EEU) expanded to their members.",
)
