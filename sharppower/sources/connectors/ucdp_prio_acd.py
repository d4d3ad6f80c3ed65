"""UCDP/PRIO Armed Conflict Dataset 25.1 (conflict-years 1946-2024): armed conflict of an
actor against a target state, every declared actor.

The published CSV (this copy: semicolon-separated, dates d-m-yyyy) has one row per
conflict-year with the Gleditsch-Ward codes of the primary parties (`gwno_a`, `gwno_b`)
and of the states supporting each side with troops (`gwno_a_2nd`, `gwno_b_2nd`), comma
lists. Per actor x target x year, the rule (documented in the README):
- **primary party against a state**: the actor is a primary party on one side and the
  target a primary party on the other (interstate: RUS-UKR 2022-2024, CHN-IND 2020);
- **backing the target government's armed opponents**: the actor is a secondary party on
  side B of a conflict whose side A is the target's government (RUS with South Ossetia
  against Georgia 2008, with the DPR/LPR against Ukraine 2014-2022), or a secondary party
  on side A of an interstate conflict against the target;
- **not pressure**: a secondary party on the government's side of an intrastate conflict
  supports that government (RUS in Syria, the Central African Republic, Mali; every
  troop contribution to UN missions, which is all of China's secondary roles): left out,
  counted in a warning.
Variables: `armed_conflict` 1 (the codebook completes zeros inside the universe: every
state, 1946-2024) and `intensity` the highest `intensity_level` of those conflicts (1:
25-999 battle-related deaths in the year, 2: 1,000+). The note lists the conflicts and
the actor's role.

Gleditsch-Ward codes resolve through the COW states list (shared, `sources.cow_states`)
and the year-dependent codes of country_aliases.yaml; GW 340 (Serbia) is COW 345. Russia
is the actor from 1992 (GW 365 before is the USSR, SUN). Rows whose `year` is not a
four-digit year (this copy splits conflict 11349, 2008, over two lines) are left out with
a warning naming the lines; a state code without an ISO3 in its year (GW's Hyderabad,
1948) is skipped as a party with a warning; a code that is not a number is an error
naming row and field.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict

import pandas as pd

from sharppower.countries import CountryResolver, resolver
from sharppower.errors import InputError
from sharppower.sources import readers
from sharppower.sources.actors import declared, missing_warnings
from sharppower.sources.base import Source, SourceFile, Universe
from sharppower.sources.cow_states import STATES_FILE, register_states
from sharppower.sources.snapshot import Snapshot

FILE = "UcdpPrioConflict_v25_1.csv"
FIRST_YEAR, LAST_YEAR = 1946, 2024
GW_TO_COW = {340: 345}
REQUIRED = ["conflict_id", "year", "intensity_level", "type_of_conflict", "gwno_a",
            "gwno_a_2nd", "gwno_b", "gwno_b_2nd", "side_a", "side_b"]


def read_conflicts(snapshot: Snapshot) -> tuple[list[dict], list[str]]:
    """Conflict-year records with their file line; malformed records left out, warned."""
    text = snapshot.path(FILE).read_text("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header = next(reader, [])
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(FILE, f"missing column(s) {', '.join(missing)}", row=1)
    records, broken, start = [], [], 2
    for fields in reader:
        line, start = start, reader.line_num + 1
        rec = dict(zip(header, fields))
        year = rec.get("year", "").strip()
        if len(fields) != len(header) or not (len(year) == 4 and year.isdigit()):
            broken.append(f"{line} (conflict {rec.get('conflict_id', '?') or '?'})")
            continue
        rec["_row"] = line
        records.append(rec)
    warnings = []
    if broken:
        warnings.append(f"{FILE}: lines {', '.join(broken)} are not conflict-years (no "
                        "four-digit year: a record split over lines) and are left out")
    return records, warnings


def _codes(rec: dict, field: str) -> list[int]:
    out = []
    for part in rec[field].split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            raise InputError(FILE, f"not a state code: {part!r}", row=rec["_row"], field=field)
        out.append(int(part))
    return out


def _states(rec: dict, field: str, year: int, res: CountryResolver,
            unknown: dict[int, list[int]]) -> list[str]:
    """ISO3 of the field's state codes; a code without an ISO3 (GW's Hyderabad, Tibet
    1947-50, ...) is collected in `unknown` (code -> rows) and skipped."""
    out = []
    for code in _codes(rec, field):
        iso3 = res.from_cow(GW_TO_COW.get(code, code), year)
        if iso3 is None:
            unknown[code].append(rec["_row"])
            continue
        out.append(iso3)
    return out


def dyads(records: list[dict], res: CountryResolver,
          actors: tuple[str, ...]) -> tuple[pd.DataFrame, list[str]]:
    """actor x target x year rows with the conflicts, roles and highest intensity."""
    found: dict[tuple[str, str, int], dict] = {}
    support, unknown = defaultdict(set), defaultdict(list)
    levels = readers.integers(pd.DataFrame({"intensity_level": [r["intensity_level"] for r in records],
                                            "_row": [r["_row"] for r in records]}),
                              ["intensity_level"], FILE)["intensity_level"].tolist()
    for rec, intensity in zip(records, levels):
        year = int(rec["year"])
        a, b, a2, b2 = (_states(rec, f, year, res, unknown)
                        for f in ("gwno_a", "gwno_b", "gwno_a_2nd", "gwno_b_2nd"))
        for actor in actors:
            roles: list[tuple[str, list[str]]] = []
            if actor in a:
                roles.append(("primary", b))
            if actor in b:
                roles.append(("primary", a))
            if actor in b2:
                roles.append(("backing side B", a))
            if actor in a2:
                if b:
                    roles.append(("backing side A", b))
                else:
                    support[actor].add(rec["conflict_id"])
            for role, targets in roles:
                for target in targets:
                    if target == actor:
                        continue
                    cell = found.setdefault((actor, target, year), {
                        "intensity": 0, "notes": [], "rows": []})
                    cell["intensity"] = max(cell["intensity"], int(intensity))
                    cell["notes"].append(f"conflict {rec['conflict_id']} ({role}: "
                                         f"{rec['side_a']} vs {rec['side_b']})")
                    cell["rows"].append(rec["_row"])
    rows = [{"actor": k[0], "target": k[1], "year": k[2], "armed_conflict": 1.0,
             "intensity": float(v["intensity"]), "note": readers.shorten("; ".join(v["notes"])),
             "source_row": readers.shorten(f"rows {readers.row_ranges(v['rows'])}")}
            for k, v in sorted(found.items())]
    frame = pd.DataFrame(rows, columns=["actor", "target", "year", "armed_conflict",
                                        "intensity", "note", "source_row"])
    warnings = [f"{FILE}: {actor} a secondary party on the government's side (support, not "
                f"pressure; UN troop contributions included) in {len(ids)} conflicts, left "
                f"out: {', '.join(sorted(ids))}" for actor, ids in sorted(support.items())]
    warnings += [f"{FILE}: state code {code} has no ISO 3166 code in its years (rows "
                 f"{readers.row_ranges(rows)}), skipped as a party" for code, rows in sorted(unknown.items())]
    return frame, warnings


def parse(snapshot: Snapshot, res: CountryResolver | None = None,
          actors: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per actor x target x year of armed conflict (every declared actor)."""
    res, actors = register_states(snapshot, res or resolver()), declared(actors)
    records, warnings = read_conflicts(snapshot)
    frame, more = dyads(records, res, actors)
    frame = frame.assign(source_file=FILE)
    more += missing_warnings(SOURCE.name, frame, actors, "not a party to a conflict against a state")
    return readers.finish(frame, warnings + more)


SOURCE = Source(
    name="ucdp-prio-acd",
    universe=Universe(years=(FIRST_YEAR, LAST_YEAR), note="every state, 1946-2024: UCDP/PRIO "
                      "codes every armed conflict with 25 or more battle-related deaths a year"),
    actors="any",
    title="UCDP/PRIO Armed Conflict Dataset version 25.1",
    publisher="Uppsala Conflict Data Program (Uppsala University) and Peace Research Institute "
    "Oslo (PRIO)",
    homepage="https://ucdp.uu.se/downloads/",
    licence="CC BY 4.0 (UCDP download pages); cite on use",
    redistribute=("observations",),
    citation="Gleditsch, N. P., Wallensteen, P., Eriksson, M., Sollenberg, M. & Strand, H. "
    "(2002). Armed Conflict 1946-2001: A New Dataset. Journal of Peace Research 39(5); Davies, "
    "S., Engström, G., Pettersson, T. & Öberg, M. (2025). Organized violence 1989-2024. "
    "Journal of Peace Research 62(4). UCDP/PRIO Armed Conflict Dataset version 25.1.",
    files=(
        SourceFile(FILE, "https://ucdp.uu.se/downloads/ucdpprio/ucdp-prio-acd-251-csv.zip",
                   "ucdp_prio_acd/UcdpPrioConflict_v25_1.csv", format="zip",
                   member="UcdpPrioConflict_v25_1.csv",
                   derive="the conflict-year CSV out of UCDP's published zip",
                   checked="URL and member name from UCDP's download page naming; the live "
                           "archive was not fetched from here (no network)"),
        STATES_FILE,
    ),
    parse=parse,
    coverage="conflict-years 1946-2024 (2,750 well-formed in this copy); Russia from 1992",
    notes="Secondary parties on a government's side (support, peacekeeping) are not pressure.",
)
