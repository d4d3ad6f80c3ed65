"""DISARM framework (red framework: attackers' tactics and techniques) -> a framework table.

Two published files of DISARMFoundation/DISARMframeworks are read:
- `DISARM.json`, the STIX 2.1 bundle: `x-mitre-tactic` objects (TA01...) and
  `attack-pattern` objects for techniques and sub-techniques (T0001, T0086.002); each
  carries its DISARM id in `external_references[].external_id`, its page URL, and its
  tactic as `kill_chain_phases[].phase_name` (the tactic's `x_mitre_shortname`).
- `DISARM_FRAMEWORKS_MASTER.xlsx`: the `phases` sheet (P01-P04, only here), the
  `tactics` sheet (a tactic's `phase_id`) and the `techniques` sheet (`tactic_id`),
  checked against the bundle: a technique whose tactic differs between the two files,
  or an id in one file only, is an error naming file, row and field.

`parse(snapshot)` returns one row per framework object (columns FRAMEWORK_COLUMNS):
kind (`phase`, `tactic`, `technique`), disarm_id, name, summary, phase_id, tactic_id,
parent_id (the technique of a sub-technique), stix_id, stix_type, url, created,
modified, source_file, source_row. The connector parses only; the evidence measure
(`measures/evidence/disarm.py`) loads the table and validates technique ids with it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from sharppower.errors import InputError
from sharppower.sources.base import Source, SourceFile
from sharppower.sources.readers import read_sheet

BUNDLE = "DISARM.json"
MASTER = "DISARM_FRAMEWORKS_MASTER.xlsx"
COMMIT = "49df5f64"
REPO = "https://github.com/DISARMFoundation/DISARMframeworks"
RAW = "https://raw.githubusercontent.com/DISARMFoundation/DISARMframeworks/main"
TECHNIQUE_ID = re.compile(r"^T\d{4}(\.\d{3})?$")
TACTIC_ID = re.compile(r"^TA\d{2}$")
FRAMEWORK_COLUMNS = ["kind", "disarm_id", "name", "summary", "phase_id", "tactic_id", "parent_id",
                     "stix_id", "stix_type", "url", "created", "modified", "source_file",
                     "source_row"]


def read_bundle(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(BUNDLE, f"not readable JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("type") != "bundle" or not isinstance(
            data.get("objects"), list):
        raise InputError(BUNDLE, "not a STIX bundle (type 'bundle' with an 'objects' list)",
                         field="objects")
    return data["objects"]


def _external(obj: dict[str, Any], where: str) -> tuple[str, str]:
    for ref in obj.get("external_references") or []:
        if ref.get("external_id"):
            return str(ref["external_id"]).strip(), str(ref.get("url") or "")
    raise InputError(BUNDLE, "no DISARM id in external_references", row=where,
                     field="external_references")


def _stix_row(obj: dict[str, Any], kind: str, disarm_id: str, url: str, i: int) -> dict:
    return {"kind": kind, "disarm_id": disarm_id, "name": str(obj.get("name") or "").strip(),
            "summary": str(obj.get("description") or "").strip(), "stix_id": obj["id"],
            "stix_type": obj["type"], "url": url, "created": obj.get("created"),
            "modified": obj.get("modified"), "source_file": BUNDLE, "source_row": f"objects[{i}]"}


def bundle_rows(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tactic and technique rows of the bundle, techniques with their tactic id."""
    tactics, techniques = {}, []
    for i, obj in enumerate(objects):
        where = f"objects[{i}]"
        if obj.get("type") == "x-mitre-tactic":
            tid, url = _external(obj, where)
            if not TACTIC_ID.match(tid):
                raise InputError(BUNDLE, f"not a DISARM tactic id: {tid!r}", row=where,
                                 field="external_id")
            tactics[obj.get("x_mitre_shortname")] = _stix_row(obj, "tactic", tid, url, i)
        elif obj.get("type") == "attack-pattern":
            tid, url = _external(obj, where)
            if not TECHNIQUE_ID.match(tid):
                raise InputError(BUNDLE, f"not a DISARM technique id: {tid!r}", row=where,
                                 field="external_id")
            phases = [p.get("phase_name") for p in obj.get("kill_chain_phases") or []]
            techniques.append((_stix_row(obj, "technique", tid, url, i), phases, where))
    rows = list(tactics.values())
    for row, phases, where in techniques:
        known = [tactics[p]["disarm_id"] for p in phases if p in tactics]
        if len(known) != 1:
            raise InputError(BUNDLE, f"{row['disarm_id']}: expected one known tactic, found "
                             f"{phases!r}", row=where, field="kill_chain_phases")
        rows.append(row | {"tactic_id": known[0],
                           "parent_id": row["disarm_id"].split(".")[0]
                           if "." in row["disarm_id"] else None})
    return rows


def _sheet(path: Path, name: str, columns: list[str]) -> pd.DataFrame:
    return read_sheet(path, f"{MASTER}", name, 1, columns)


def _cross_check(by_id: dict, rec: dict, sheet: str, key: str) -> None:
    row = by_id.get(rec["disarm_id"])
    where = f"{MASTER}!{sheet}"
    if row is None:
        raise InputError(where, f"{rec['disarm_id']} is not in {BUNDLE}", row=rec["_row"],
                         field="disarm_id")
    if key == "phase_id":
        row["phase_id"] = rec[key]
    elif row["tactic_id"] != rec[key]:
        raise InputError(where, f"{rec['disarm_id']}: tactic {rec[key]} here, {row['tactic_id']} "
                         f"in {BUNDLE}", row=rec["_row"], field="tactic_id")


def check_master(rows: list[dict[str, Any]], path: Path) -> list[dict[str, Any]]:
    """Phases from the master file; every tactic's phase; tactics of techniques cross-checked."""
    phases = _sheet(path, "phases", ["disarm_id", "name", "summary"])
    tactics = _sheet(path, "tactics", ["disarm_id", "phase_id"])
    techniques = _sheet(path, "techniques", ["disarm_id", "tactic_id"])
    by_id = {r["disarm_id"]: r for r in rows}
    for sheet, frame, key in (("tactics", tactics, "phase_id"),
                              ("techniques", techniques, "tactic_id")):
        for rec in frame.to_dict("records"):
            _cross_check(by_id, rec, sheet, key)
    missing = sorted(set(by_id) - set(tactics["disarm_id"]) - set(techniques["disarm_id"]))
    if missing:
        raise InputError(MASTER, f"ids of {BUNDLE} missing from the master file: "
                         f"{', '.join(missing[:10])}", field="disarm_id")
    phase_rows = [{"kind": "phase", "disarm_id": p["disarm_id"], "name": p["name"],
                   "summary": p["summary"], "source_file": f"{MASTER}!phases",
                   "source_row": str(p["_row"])} for p in phases.to_dict("records")]
    return phase_rows + rows


def parse_files(bundle: Path, master: Path) -> pd.DataFrame:
    """The framework (FRAMEWORK_COLUMNS) from the bundle and the master workbook."""
    rows = check_master(bundle_rows(read_bundle(bundle)), master)
    for r in rows:
        if r["kind"] == "technique":
            r["phase_id"] = next(t["phase_id"] for t in rows if t["disarm_id"] == r["tactic_id"])
    frame = pd.DataFrame(rows).reindex(columns=FRAMEWORK_COLUMNS)
    frame = frame.astype(object).where(frame.notna(), None)
    order = {"phase": 0, "tactic": 1, "technique": 2}
    return frame.sort_values(["kind", "disarm_id"], key=lambda s: s.map(order) if s.name == "kind"
                             else s).reset_index(drop=True)


def parse(snapshot) -> pd.DataFrame:
    """The framework of a snapshot holding DISARM.json and DISARM_FRAMEWORKS_MASTER.xlsx."""
    return parse_files(snapshot.path(BUNDLE), snapshot.path(MASTER))


_CHECKED = ("GitHub raw URL on the main branch (the mirror's copy is commit 49df5f64); not "
            "fetched from here (no network)")
SOURCE = Source(
    name="disarm-framework",
    actors=(),
    title="DISARM framework (red framework: tactics and techniques of information manipulation)",
    publisher="DISARM Foundation",
    homepage="https://www.disarm.foundation/",
    licence="CC BY-SA 4.0 (DISARM Foundation); the framework table is a derivative under the "
    "same licence",
    redistribute=('observations', 'records', 'texts'),
    citation=f"DISARM Foundation, DISARM frameworks, {REPO} (commit {COMMIT}): "
    "generated_files/DISARM_STIX/DISARM.json and DISARM_MASTER_DATA/DISARM_FRAMEWORKS_MASTER.xlsx.",
    files=(
        SourceFile(BUNDLE, f"{RAW}/generated_files/DISARM_STIX/DISARM.json",
                   "disarm_framework/DISARM.json", format="json", checked=_CHECKED),
        SourceFile(MASTER, f"{RAW}/DISARM_MASTER_DATA/DISARM_FRAMEWORKS_MASTER.xlsx",
                   "disarm_framework/DISARM_FRAMEWORKS_MASTER.xlsx", format="xlsx",
                   checked=_CHECKED),
    ),
    parse=parse,
    coverage="4 phases, 16 tactics, 391 techniques and sub-techniques",
    kind="framework",
    notes="Evidence records are coded to its technique ids; STIX exports reuse its ids.",
)
