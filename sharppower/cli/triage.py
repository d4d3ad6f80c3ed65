"""`sharppower triage ...`: document triage (sharppower.analysis.triage_queue over
sharppower.measures.triage) and `triage techniques ...`: DISARM technique proposals
(sharppower.analysis.technique_queue). Each command parses its options, calls one library function
and renders the result."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from time import monotonic
from typing import Annotated

import pandas as pd
import typer

from sharppower.analysis import triage_queue as tq
from sharppower.cli.common import (
    DB_OPTION,
    JSON_OPTION,
    console,
    err_console,
    open_db,
    print_json,
    print_table,
    user_errors,
)
from sharppower.cli.common import settings as load_settings
from sharppower.measures.triage import DEFAULT_KIND, read_documents, write_jsonl
from sharppower.measures.triage.features import FEATURES

app = typer.Typer(help="Document triage: propose actors, targets and labels for review.",
                  no_args_is_help=True)

Db = Annotated[str | None, typer.Option("--db", help=DB_OPTION.help)]
Json = Annotated[bool, typer.Option("--json", help=JSON_OPTION.help)]
Input = Annotated[Path, typer.Option("--input", help="DOCS.jsonl: one JSON object a line with "
                                     "id, title, text and optional date, url.")]
Taxonomy = Annotated[str, typer.Option("--taxonomy", help="Labels: codebook (sharp-power "
                                       "indicators) or asd (ASD tool names).")]


def _data_dir(db: str | None) -> Path:
    return load_settings(db).data_dir


@contextmanager
def training_progress() -> Iterator[tq.Progress]:
    """A progress callback for the library: when no model is stored yet, say so in one
    line, then show each training step (a spinner at a terminal, a line each in a pipe)
    and how long it took. On stderr: stdout keeps the command's output (--json)."""
    calls: list[float] = []
    status = err_console.status("", spinner="dots")

    def progress(step: str, done: int, total: int) -> None:
        calls.append(monotonic())
        if done >= total:
            return
        text = f"triage model: {step}" + (f" ({done}/{total} steps done)" if done else "")
        if err_console.is_terminal and len(calls) > 1:
            status.update(text)
            if len(calls) == 2:
                status.start()
        else:
            err_console.print(text, highlight=False, markup=False)

    try:
        yield progress
    finally:
        if calls:
            status.stop()
            err_console.print(f"triage model trained in {monotonic() - calls[0]:.0f} s and "
                              "stored: later runs reuse it", highlight=False)


@app.command("classify")
def classify(input: Input, out: Annotated[Path, typer.Option("--out", help="PRED.jsonl to write.")],
             taxonomy: Taxonomy = "codebook", db: Db = None) -> None:
    """Predict actors, targets and labels (each best first, with scores and language)."""
    with user_errors():
        docs = read_documents(input)
        with training_progress() as progress:
            preds = tq.classify(open_db(db), _data_dir(db), docs, taxonomy, progress)
        write_jsonl(out, preds)
        routed = sum(p["routed"] != "classified" for p in preds)
        console.print(f"{len(preds)} documents -> {out} ({routed} routed by language; model "
                      f"{preds[0]['model'] if preds else '-'})")


@app.command("run")
def run(input: Input, db: Db = None, json_out: Json = False) -> None:
    """Propose evidence records (status proposed, coder triage:<model>) for review."""
    with user_errors():
        docs = read_documents(input)
        with training_progress() as progress:
            result = tq.propose(open_db(db), _data_dir(db), docs, progress)
        if json_out:
            print_json(result)
            return
        console.print(f"{len(result['proposed'])} records proposed by model {result['model']}")
        if result["skipped"]:
            print_table(pd.DataFrame(result["skipped"]), title="Not proposed")


@app.command("train")
def train(taxonomy: Taxonomy = "codebook",
          kind: Annotated[str, typer.Option("--model", help=f"Features: {', '.join(FEATURES)}.")]
          = DEFAULT_KIND,
          folds: Annotated[int, typer.Option("--folds", help="Cross-validation folds for the "
                                             "stored report (0: none).")] = tq.DEFAULT_FOLDS,
          db: Db = None, json_out: Json = False) -> None:
    """Retrain on the accepted records of the ledger and store the model and its report."""
    with user_errors():
        meta = tq.train(open_db(db), _data_dir(db), taxonomy, kind, folds)
        if json_out:
            print_json(meta)
            return
        console.print(f"stored {meta['version']} ({meta['n_train']} records, fingerprint "
                      f"{meta['fingerprint'][:12]})")
        if meta["evaluation"]:
            _print_report(meta["evaluation"])


@app.command("queue")
def queue(db: Db = None, json_out: Json = False) -> None:
    """Proposed triage records, most confident first, with the sentences behind each label."""
    with user_errors():
        rows = tq.queue(open_db(db))
        if json_out:
            print_json(rows)
            return
        frame = pd.DataFrame(rows, columns=["id", "confidence_score", "actors", "target",
                                            "indicators", "title"])
        print_table(frame.assign(actors=frame["actors"].map(", ".join),
                                 indicators=frame["indicators"].map(", ".join)),
                    title=f"Triage queue ({len(rows)})")


def _print_report(report: dict) -> None:
    per = pd.DataFrame(report["per_class"]).T.reset_index(names="label")
    print_table(per, title=f"{report['taxonomy']} ({report['kind']}), {report['folds']} folds "
                f"grouped by {report['grouping']}")
    console.print(f"macro-F1 {report['macro_f1']}  micro-F1 {report['micro_f1']}  actor accuracy "
                  f"{report['actor_accuracy']}  target precision {report['target_precision']}  "
                  f"recall {report['target_recall']}")


# --- DISARM technique proposals -----------------------------------------------------------

techniques = typer.Typer(help="DISARM technique proposals for evidence records: propose, "
                         "review, evaluate.", no_args_is_help=True)
app.add_typer(techniques, name="techniques")
Examples = Annotated[Path | None, typer.Option(
    "--examples", help="The DISARM example incidents (DISARM_DATA_MASTER.xlsx); default: "
    "disarm_framework/ in SHARPPOWER_MIRROR when set, else reviewed records only.")]


def _examples(path: Path | None, db: str | None) -> Path | None:
    from sharppower.measures.triage.disarm_examples import DATA_MASTER

    if path is not None:
        return path
    mirror = load_settings(db).mirror
    found = mirror / "disarm_framework" / DATA_MASTER if mirror else None
    return found if found and found.is_file() else None


@techniques.command("propose")
def techniques_propose(
        actor: Annotated[str | None, typer.Option("--actor", help="Only records of this "
                                                  "actor (ISO3).")] = None,
        target: Annotated[str | None, typer.Option("--target", help="Only records about "
                                                   "this country (ISO3).")] = None,
        top: Annotated[int, typer.Option("--top", help="Techniques proposed per record.")] = 3,
        examples: Examples = None, db: Db = None, json_out: Json = False) -> None:
    """Propose DISARM techniques for the records without any, stored for review."""
    from sharppower.analysis import technique_queue

    with user_errors():
        result = technique_queue.propose(open_db(db), _examples(examples, db), actor, target,
                                         top=top)
        if json_out:
            print_json(result)
            return
        console.print(f"{result['proposed']} proposals for {result['records']} records by "
                      f"{result['model']} ({result['skipped']} already decided or on the record)")
        for warning in result["warnings"]:
            console.print(f"warning: {warning}", markup=False)


@techniques.command("list")
def techniques_list(
        status: Annotated[str, typer.Option("--status", help="proposed, accepted or "
                                            "rejected.")] = "proposed",
        record: Annotated[str | None, typer.Option("--record", help="Only this record.")] = None,
        db: Db = None, json_out: Json = False) -> None:
    """Technique proposals, by record and rank, with the technique's name and score."""
    from sharppower.measures.evidence.technique_proposals import list_proposals

    with user_errors():
        frame = list_proposals(open_db(db), status, record)
        if json_out:
            print_json(frame.to_dict("records"))
            return
        print_table(frame[["evidence_id", "technique", "name", "score", "rank", "status"]],
                    title=f"Technique proposals ({len(frame)} {status})")


@techniques.command("review")
def techniques_review(
        record: Annotated[str, typer.Argument(help="The evidence record id.")],
        technique: Annotated[str, typer.Argument(help="The proposed DISARM technique id.")],
        decision: Annotated[str, typer.Argument(help="accept or reject.")],
        reviewer: Annotated[str, typer.Option("--reviewer", help="Who decides.")],
        db: Db = None) -> None:
    """Accept (the technique is added to the record) or reject one proposal."""
    from sharppower.measures.evidence.technique_proposals import decide

    with user_errors():
        rec = decide(open_db(db), record, technique, decision, reviewer)
        console.print(f"{record}: {technique.upper()} {decision}ed; techniques now "
                      f"{', '.join(rec['techniques']) or '-'}", markup=False)


@techniques.command("evaluate")
def techniques_evaluate(
        folds: Annotated[int, typer.Option("--folds", help="Cross-validation folds.")] = 5,
        examples: Examples = None, db: Db = None, json_out: Json = False) -> None:
    """Grouped cross-validation of the technique ranker against a most-frequent baseline."""
    from sharppower.analysis import technique_queue

    with user_errors():
        report = technique_queue.evaluate(open_db(db), _examples(examples, db), folds)
        if json_out:
            print_json(report)
            return
        rows = [{"ranker": name, **{k: v for k, v in report[key].items() if k != "per_technique"}}
                for name, key in (("model", "model"), ("most frequent",
                                                        "baseline_most_frequent"))]
        print_table(pd.DataFrame(rows), title=f"{report['n']} coded texts in {report['groups']} "
                    f"groups, {report['folds']} grouped folds")
        console.print(f"macro-F1 over the {report['techniques_with_enough_examples']} techniques "
                      f"with at least {report['min_examples']} examples; {report['seconds']} s")
