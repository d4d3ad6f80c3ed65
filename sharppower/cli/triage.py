"""`sharppower triage ...`: document triage (sharppower.analysis.triage_queue over
sharppower.measures.triage). Each command parses its options, calls one library function
and renders the result."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from sharppower.analysis import triage_queue as tq
from sharppower.cli.common import (
    DB_OPTION,
    JSON_OPTION,
    console,
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


@app.command("classify")
def classify(input: Input, out: Annotated[Path, typer.Option("--out", help="PRED.jsonl to write.")],
             taxonomy: Taxonomy = "codebook", db: Db = None) -> None:
    """Predict actors, targets and labels (each best first, with scores and language)."""
    with user_errors():
        docs = read_documents(input)
        preds = tq.classify(open_db(db), _data_dir(db), docs, taxonomy)
        write_jsonl(out, preds)
        routed = sum(p["routed"] != "classified" for p in preds)
        console.print(f"{len(preds)} documents -> {out} ({routed} routed by language; model "
                      f"{preds[0]['model'] if preds else '-'})")


@app.command("run")
def run(input: Input, db: Db = None, json_out: Json = False) -> None:
    """Propose evidence records (status proposed, coder triage:<model>) for review."""
    with user_errors():
        docs = read_documents(input)
        result = tq.propose(open_db(db), _data_dir(db), docs)
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
