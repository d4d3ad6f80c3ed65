"""DISARM technique proposals for ledger records (over measures.triage.techniques and
measures.evidence.technique_proposals).

Training texts: the DISARM framework's coded example incidents (`examples`: the
framework's DISARM_DATA_MASTER.xlsx, analyst commentary dropped) and the reviewed records
of the ledger (accepted, with techniques: title and narrative), plus the loaded
framework's technique names and summaries. Training takes about a second, so the model
is trained on each call rather than stored.

- `evaluate(db, examples, folds)`: grouped cross-validation report (techniques.py).
- `propose(db, examples, actor, target, ids, top)`: proposals for the records without
  techniques (or exactly `ids`), stored as `proposed` for review; never applied.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from sharppower.errors import ValidationError
from sharppower.measures.evidence import disarm, list_evidence
from sharppower.measures.evidence.technique_proposals import store_proposals
from sharppower.measures.triage.disarm_examples import read_examples
from sharppower.measures.triage.techniques import TOP, TechniqueModel, cross_validate
from sharppower.store import Database

MODEL = "disarm-knn"


def descriptions(db: Database) -> dict[str, str]:
    """Technique id -> its name and summary, from the loaded framework."""
    frame = disarm.framework(db, kind="technique")
    if frame.empty:
        raise ValidationError("techniques", disarm.NOT_LOADED)
    return {r.disarm_id: f"{r.name}. {r.summary or ''}".strip() for r in frame.itertuples()}


def _record_text(row) -> str:
    return f"{row['title']}. {row['narrative_text'] or ''}".strip()


def reviewed_records(db: Database) -> pd.DataFrame:
    """Accepted records with techniques as training examples (group: target x year)."""
    frame = list_evidence(db, status="accepted")
    frame = frame[frame["techniques"].map(len) > 0]
    return pd.DataFrame({"id": frame["id"], "text": [_record_text(r) for _, r in frame.iterrows()],
                         "techniques": frame["techniques"],
                         "group": frame["target"] + ":" + frame["start_date"].str[:4]},
                        columns=["id", "group", "text", "techniques"])


def training_set(db: Database, examples: Path | None) -> tuple[pd.DataFrame, list[str]]:
    """Coded examples and reviewed records (id, group, text, techniques), warnings."""
    coded, warnings = read_examples(examples) if examples else (
        pd.DataFrame(columns=["id", "group", "text", "techniques"]), [])
    frame = pd.concat([coded, reviewed_records(db)], ignore_index=True)
    if frame.empty:
        raise ValidationError("examples", "no coded example to learn from: give the DISARM "
                              "example incidents (DISARM_DATA_MASTER.xlsx) or accept records "
                              "with techniques")
    return frame, warnings


def evaluate(db: Database, examples: Path | None, folds: int = 5) -> dict:
    frame, warnings = training_set(db, examples)
    return cross_validate(frame, descriptions(db), folds) | {"warnings": warnings}


def _fingerprint(frame: pd.DataFrame) -> str:
    body = "\n".join(sorted(f"{t}|{','.join(ls)}" for t, ls in zip(frame["text"],
                                                                   frame["techniques"])))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:10]


def propose(db: Database, examples: Path | None, actor: str | None = None,
            target: str | None = None, ids: list[str] | None = None, top: int = TOP) -> dict:
    """Train, propose the `top` techniques for each selected record and store them as
    proposals; returns the model name, counts and warnings."""
    frame, warnings = training_set(db, examples)
    model = TechniqueModel().fit(list(frame["text"]), list(frame["techniques"]), descriptions(db))
    name = f"{MODEL}:{len(frame)}:{_fingerprint(frame)}"
    records = list_evidence(db, actor=actor, target=target)
    if ids is not None:
        records = records[records["id"].isin(ids)]
        missing = sorted(set(ids) - set(records["id"]))
        if missing:
            raise ValidationError("ids", f"no evidence record {', '.join(missing)}")
    else:
        records = records[records["techniques"].map(len) == 0]
    texts = [_record_text(r) for _, r in records.iterrows()]
    proposals = dict(zip(records["id"], model.propose(texts, top=top)))
    counts = store_proposals(db, proposals, name)
    return {"model": name, "records": len(records), "n_train": len(frame), **counts,
            "warnings": warnings}
