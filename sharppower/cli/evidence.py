"""`sharppower evidence ...`: the evidence ledger (sharppower.measures.evidence).

Each command parses its options, calls one library function and renders the result."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
import yaml

from sharppower.cli.common import (
    DB_OPTION,
    JSON_OPTION,
    audited,
    console,
    esc,
    open_db,
    print_json,
    print_table,
    user_errors,
)
from sharppower.errors import InputError
from sharppower.measures import evidence as ev
from sharppower.measures.evidence import disarm, stix
from sharppower.yaml_load import safe_load

app = typer.Typer(help="The evidence ledger: dated, sourced incidents coded to the codebook.",
                  no_args_is_help=True)


def _opt(*decls: str, help: str = "") -> typer.models.OptionInfo:
    return typer.Option(*decls, help=help)


RecordId = Annotated[str, typer.Argument(metavar="ID", help="Record id.")]
Coder = Annotated[str | None, _opt("--coder", help="Your name as coder (default: login name).")]
Db = Annotated[str | None, _opt("--db", help=DB_OPTION.help)]
Json = Annotated[bool, _opt("--json", help=JSON_OPTION.help)]
FileOpt = Annotated[Path | None, _opt("--file", help="JSON or YAML file with the record's fields.")]
Indicators = Annotated[list[str] | None, _opt("--indicator", help="Codebook indicator code (repeat).")]
Techniques = Annotated[list[str] | None, _opt("--technique", help="DISARM technique id, e.g. "
                                              "T0086.002 (repeat).")]
LIST_SHOWN = ["id", "actors", "target", "period", "title", "indicators", "status", "link"]
# at the terminal: what a record is first; its codes (one a line) and link after the title,
# so that a narrow terminal continues the table below rather than squeezing the title
LIST_PRINTED = ["id", "target", "period", "status", "title", "indicators", "actors", "link"]


def _flat(df: pd.DataFrame) -> pd.DataFrame:
    """Lists as comma-separated text, for terminal tables."""
    return df.assign(**{c: df[c].map(lambda v: ", ".join(map(str, v))) for c in df.columns
                        if len(df) and isinstance(df[c].iloc[0], list)})


def _who(coder: str | None) -> str:
    return coder or getpass.getuser()


def _read_one(path: Path) -> dict:
    try:
        data = safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(str(path), f"cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(str(path), "expected one record (a mapping)")
    return data


def _show_record(rec: dict, json_out: bool) -> None:
    if json_out:
        print_json(rec)
        return
    for key in ("id", "title", "actors", "target_name", "period", "indicators", "layers",
                "categories", "confidence", "status", "coder", "reviewed_by", "origin"):
        console.print(f"[bold]{key}[/]: {esc(rec.get(key))}", highlight=False)
    for s in rec["sources"]:
        console.print(f"[bold]source[/]: {esc(s['publisher'])} <{esc(s['url'])}>", highlight=False)
    console.print(rec["narrative_text"], highlight=False, markup=False)
    if rec.get("history"):
        print_table(pd.DataFrame(rec["history"])[["changed_at", "changed_by", "action", "field"]],
                    title="History")


def _sources(urls: list[str] | None, publishers: list[str] | None) -> list[dict] | None:
    if not urls:
        return None
    pubs = list(publishers or [])
    return [{"url": u, "publisher": pubs[i] if i < len(pubs) else None} for i, u in enumerate(urls)]


@app.command("add")
def add(
    file: FileOpt = None,
    rid: Annotated[str | None, _opt("--id", help="Record id (default: generated).")] = None,
    actor: Annotated[list[str] | None, _opt("--actor", help="Actor ISO3 (repeat).")] = None,
    target: Annotated[str | None, _opt("--target", help="Target country, ISO3 or name.")] = None,
    start: Annotated[str | None, _opt("--start", help="YYYY, YYYY-MM or YYYY-MM-DD.")] = None,
    start_precision: Annotated[str | None, _opt("--start-precision", help="day, month, year.")] = None,
    end: Annotated[str | None, _opt("--end", help="End date (omit when ongoing).")] = None,
    end_precision: Annotated[str | None, _opt("--end-precision", help="day, month, year.")] = None,
    ongoing: Annotated[bool | None, _opt("--ongoing/--ended", help="Open-ended incident.")] = None,
    title: Annotated[str | None, _opt("--title", help="Title.")] = None,
    narrative: Annotated[str | None, _opt("--narrative", help="Narrative (stored as given).")] = None,
    url: Annotated[list[str] | None, _opt("--source-url", help="Source URL (repeat).")] = None,
    publisher: Annotated[list[str] | None, _opt("--publisher", help="Publisher per URL.")] = None,
    category: Annotated[list[str] | None, _opt("--category", help="Source category.")] = None,
    indicator: Indicators = None,
    technique: Techniques = None,
    confidence: Annotated[str | None, _opt("--confidence", help="low, medium, high.")] = None,
    notes: Annotated[str | None, _opt("--notes", help="Notes.")] = None,
    coder: Coder = None, db: Db = None, json_out: Json = False,
) -> None:
    """Add a record (proposed; another coder reviews it). Options override --file."""
    with user_errors():
        record = _read_one(file) if file else {}
        given = {"id": rid, "actors": actor or None, "target": target, "start_date": start,
                 "start_precision": start_precision, "end_date": end,
                 "end_precision": end_precision, "ongoing": ongoing, "title": title,
                 "narrative": narrative, "sources": _sources(url, publisher),
                 "categories": category or None, "indicators": indicator or None,
                 "techniques": technique or None, "confidence": confidence, "notes": notes}
        record.update({k: v for k, v in given.items() if v is not None})
        store, who = open_db(db), _who(coder or record.get("coder"))
        with audited(store, who, "evidence.propose", record.get("id")) as audit:
            rec = ev.add_evidence(store, record, coder=who, audit=audit)
        if json_out:
            print_json(rec)
        else:
            console.print(f"added {esc(rec['id'])} (proposed)")


@app.command("list")
def list_(
    actor: Annotated[str | None, _opt("--actor", help="Actor ISO3.")] = None,
    target: Annotated[str | None, _opt("--target", help="Target ISO3.")] = None,
    year: Annotated[int | None, _opt("--year", help="Active in this year.")] = None,
    status: Annotated[list[str] | None, _opt("--status", help="proposed, accepted, rejected.")] = None,
    domain: Annotated[str | None, _opt("--domain", help="Codebook domain.")] = None,
    indicator: Annotated[str | None, _opt("--indicator", help="Indicator code.")] = None,
    q: Annotated[str | None, _opt("--q", help="Text in title or narrative.")] = None,
    origin: Annotated[str | None, _opt("--origin", help="manual, starter-evidence, a source.")] = None,
    technique: Annotated[str | None, _opt("--technique", help="DISARM technique (and its "
                                          "sub-techniques).")] = None,
    tactic: Annotated[str | None, _opt("--tactic", help="DISARM tactic, e.g. TA06.")] = None,
    db: Db = None, json_out: Json = False,
) -> None:
    """List records with their source links."""
    with user_errors():
        df = ev.list_evidence(open_db(db), actor=actor, target=target, year=year, domain=domain,
                              status=status or None, q=q, indicator=indicator, origin=origin,
                              technique=technique, tactic=tactic)
        if json_out:
            print_json(df)
        else:
            shown = df[LIST_PRINTED].assign(indicators=df["indicators"].map("\n".join))
            print_table(_flat(shown), title=f"Evidence ({len(df)} records)")


@app.command("show")
def show(rid: RecordId, db: Db = None, json_out: Json = False) -> None:
    """Show one record with its codings and change history."""
    with user_errors():
        _show_record(ev.get_evidence(open_db(db), rid), json_out)


@app.command("import")
def import_(file: Annotated[Path, typer.Argument(help="CSV, JSON or YAML (as export writes), "
                                                "or a STIX 2.1 bundle.")],
            fmt: Annotated[str, _opt("--format", help="records (CSV, JSON, YAML) or stix "
                                     "(incidents become proposed records).")] = "records",
            coder: Coder = None, db: Db = None, json_out: Json = False) -> None:
    """Import records; existing ids are updated field by field, with history."""
    with user_errors():
        if fmt not in ("records", "stix"):
            raise InputError("--format", f"must be records or stix, not {fmt!r}")
        store = open_db(db)
        with audited(store, _who(coder), "evidence.import", str(file)) as audit:
            counts = (stix.import_stix(store, file, coder=coder, audit=audit) if fmt == "stix"
                      else ev.import_file(store, file, coder=coder, audit=audit))
        if json_out:
            print_json(counts)
            return
        console.print(", ".join(f"{counts[k]} {k}" for k in ("inserted", "updated", "unchanged")))
        for name, n in (counts.get("unknown_types") or {}).items():
            console.print(esc(f"not used: {n} {name} object(s)"))
        for line in [*(counts.get("skipped") or []), *(counts.get("notes") or [])]:
            console.print(esc(f"skipped: {line}" if line in (counts.get("skipped") or []) else line))


@app.command("export")
def export(fmt: Annotated[str, _opt("--format", help="csv, json or stix (STIX 2.1 bundle).")] = "json",
           out: Annotated[Path | None, _opt("--out", help="File (default: stdout).")] = None,
           actor: Annotated[str | None, _opt("--actor", help="Only this actor (stix).")] = None,
           target: Annotated[str | None, _opt("--target", help="Only this target (stix).")] = None,
           status: Annotated[str | None, _opt("--status", help="Only this status (stix).")] = None,
           db: Db = None) -> None:
    """Export records: every field but the history as CSV or JSON, or a STIX 2.1 bundle."""
    with user_errors():
        if fmt == "stix":
            text = stix.export_stix(open_db(db), actor=actor, target=target, status=status)
        elif actor or target or status:
            raise InputError("--format", "--actor, --target and --status filter the stix export")
        else:
            text = ev.export_text(open_db(db), fmt)
        if out:
            out.write_text(text, "utf-8")
            console.print(f"wrote {out}")
        else:
            typer.echo(text, nl=False)


@app.command("review")
def review_(rid: RecordId, accept: Annotated[bool, _opt("--accept", help="Accept.")] = False,
            reject: Annotated[bool, _opt("--reject", help="Reject.")] = False,
            note: Annotated[str | None, _opt("--note", help="Why.")] = None,
            coder: Coder = None, db: Db = None, json_out: Json = False) -> None:
    """Accept or reject a record (someone else's)."""
    with user_errors():
        if accept == reject:
            raise InputError("review", "give exactly one of --accept and --reject")
        store = open_db(db)
        with audited(store, _who(coder), "evidence.review", rid) as audit:
            rec = ev.review(store, rid, "accept" if accept else "reject", _who(coder), note,
                            audit=audit)
        if json_out:
            print_json(rec)
        else:
            console.print(f"{esc(rid)}: {rec['status']} by {esc(rec['reviewed_by'])}")


@app.command("code")
def code_(rid: RecordId, indicator: Indicators = None, technique: Techniques = None,
          coder: Coder = None, db: Db = None, json_out: Json = False) -> None:
    """Code a record independently (double coding): indicators and DISARM techniques; none
    given = no code applies."""
    with user_errors():
        store = open_db(db)
        with audited(store, _who(coder), "evidence.code", rid) as audit:
            rec = ev.code(store, rid, _who(coder), indicator or [], techniques=technique or [],
                          audit=audit)
        if json_out:
            print_json(rec)
        else:
            codes = [*(indicator or []), *(technique or [])]
            console.print(esc(f"{rid}: coded by {_who(coder)}: {', '.join(codes) or '(none)'}"))


@app.command("edit")
def edit(rid: RecordId, file: FileOpt = None, indicator: Indicators = None,
         technique: Techniques = None,
         title: Annotated[str | None, _opt("--title", help="Title.")] = None,
         confidence: Annotated[str | None, _opt("--confidence", help="low, medium, high.")] = None,
         notes: Annotated[str | None, _opt("--notes", help="Notes.")] = None,
         coder: Coder = None, db: Db = None) -> None:
    """Change fields of a record, e.g. adopt adjudicated codes (history keeps the old)."""
    with user_errors():
        changes = _read_one(file) if file else {}
        given = {"indicators": indicator or None, "techniques": technique or None, "title": title,
                 "confidence": confidence, "notes": notes}
        changes.update({k: v for k, v in given.items() if v is not None})
        store = open_db(db)
        with audited(store, _who(coder), "evidence.edit", rid) as audit:
            # the version read first: a change someone commits meanwhile is refused
            # (StaleVersion); a missing id is audited like any refused attempt
            version = ev.get_evidence(store, rid)["version"]
            rec = ev.update_evidence(store, rid, changes, _who(coder), expected_version=version,
                                     audit=audit)
        console.print(f"{esc(rid)}: updated ({rec['updated_at']}, {rec['status']})")


@app.command("agreement")
def agreement_(scheme: Annotated[str, _opt("--scheme", help="indicators, or techniques (DISARM).")]
               = "indicators", db: Db = None, json_out: Json = False) -> None:
    """Krippendorff's alpha (nominal) per code and overall, and the disagreements."""
    with user_errors():
        result = ev.agreement(open_db(db), scheme=scheme)
        if json_out:
            print_json(result.to_dict())
            return
        o = result.overall
        alpha = "undefined" if o["alpha"] is None else f"{o['alpha']:.3f}"
        console.print(f"overall alpha {alpha}: {o['records']} double-coded records, "
                      f"{o['units']} record x indicator units, coders {', '.join(o['coders'])}")
        print_table(result.per_indicator, title="Per indicator")
        print_table(_flat(result.disagreements), title="To adjudicate")


@app.command("values")
def values(actor: Annotated[str | None, _opt("--actor", help="Actor ISO3.")] = None,
           target: Annotated[str | None, _opt("--target", help="Target ISO3.")] = None,
           indicator: Annotated[str | None, _opt("--indicator", help="Indicator.")] = None,
           db: Db = None, json_out: Json = False) -> None:
    """Indicator values from the ledger (covered cells only: missing is not zero)."""
    with user_errors():
        df = ev.indicator_values(open_db(db))
        for col, value in (("actor", actor), ("target", target), ("indicator", indicator)):
            if value:
                df = df[df[col] == value]
        if json_out:
            print_json(json.loads(df.to_json(orient="records")))
        else:
            print_table(_flat(df.drop(columns=["evidence_ids"])), title="Indicator values")


@app.command("disarm")
def disarm_(tactic: Annotated[str | None, _opt("--tactic", help="Only this tactic and its techniques.")]
            = None, db: Db = None, json_out: Json = False) -> None:
    """The loaded DISARM framework: phases, tactics, techniques (ids, names, STIX ids)."""
    with user_errors():
        frame = disarm.framework(open_db(db))
        if tactic:
            code = tactic.upper()
            frame = frame[(frame["tactic_id"] == code) | (frame["disarm_id"] == code)]
        if json_out:
            print_json(frame.drop(columns=["summary"]))
        else:
            print_table(frame[["kind", "disarm_id", "name", "tactic_id", "phase_id"]],
                        title=f"DISARM ({len(frame)} rows)")
