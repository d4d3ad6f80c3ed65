"""The triage queue: the document-triage measure (`sharppower.measures.triage`, which
works on plain frames) joined to the evidence ledger through the ledger's public API
only. It sits at the analysis level because a measure may not import a sibling measure:

- training data: accepted ledger records (`list_evidence`), ASD incidents and anything
  reviewers accepted later;
- `train`: fit, cross-validate and store a model (version, training-set fingerprint,
  evaluation report) under `<data dir>/triage/`;
- `classify`: predictions with the latest stored model (trained on first use);
- `propose`: `proposed` evidence records (`add_evidence`), coded by `triage:<version>`,
  with the label scores and the sentences behind each label in `notes` (JSON);
- `queue`: the proposed triage records, most confident first; `decide`: `review`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

from sharppower.errors import ValidationError
from sharppower.measures.evidence import add_evidence, get_evidence, list_evidence, review
from sharppower.measures.triage import modelstore
from sharppower.measures.triage.evaluate import cross_validate
from sharppower.measures.triage.explain import driving_sentences
from sharppower.measures.triage.model import DEFAULT_KIND, TriageModel, prepare
from sharppower.measures.triage.taxonomy import check
from sharppower.store import Database

CODER_PREFIX = "triage:"
# progress(step, done, total): what the training is doing (TriageModel.fit); a first call
# with done == 0 and the words "no stored model" says that a model is being trained
Progress = Callable[[str, int, int], None]
DEFAULT_FOLDS = 5


def model_root(data_dir: Path) -> Path:
    return Path(data_dir) / "triage"


def training_frame(db: Database) -> pd.DataFrame:
    """Accepted, not withdrawn ledger records as the measure's training frame."""
    rec = list_evidence(db, status="accepted", withdrawn=False)
    return pd.DataFrame({
        "id": rec["id"], "title": rec["title"], "text": rec["narrative_text"].fillna(""),
        "actors": rec["actors"], "target": rec["target"],
        "year": rec["start_date"].str[:4].astype(int), "categories": rec["categories"],
        "indicators": rec["indicators"]})


def train(db: Database, data_dir: Path, taxonomy: str = "codebook", kind: str = DEFAULT_KIND,
          folds: int = DEFAULT_FOLDS, progress: Progress | None = None) -> dict:
    """Fit on the current ledger, cross-validate (folds=0: no report) and store;
    `progress` hears each step of the fit (TriageModel.fit)."""
    frame = training_frame(db)
    if len(frame) < 20:
        raise ValidationError("ledger", f"{len(frame)} accepted records; at least 20 are needed "
                              "to train the triage model")
    report = cross_validate(frame, check(taxonomy), kind, folds) if folds else None
    if report is None and progress is not None:
        progress(f"no stored model: training one on {len(frame)} accepted ledger records "
                 "(once; later runs reuse it)", 0, 4)
    model = TriageModel(taxonomy=taxonomy, kind=kind).fit(frame, progress)
    return modelstore.save(model_root(data_dir), model, modelstore.fingerprint(frame), report)


def model_for(db: Database, data_dir: Path, taxonomy: str = "codebook",
              progress: Progress | None = None) -> tuple[TriageModel, dict]:
    """The latest stored model of the taxonomy; trains one on first use (without the
    cross-validated report, which `train` adds), telling `progress` what it does."""
    found = modelstore.latest(model_root(data_dir), check(taxonomy))
    if found is None:
        train(db, data_dir, taxonomy, folds=0, progress=progress)
        found = modelstore.latest(model_root(data_dir), taxonomy)
    return found


def classify(db: Database, data_dir: Path, docs: pd.DataFrame,
             taxonomy: str = "codebook", progress: Progress | None = None) -> list[dict]:
    """One prediction per document (see TriageModel.predict), with the model version
    (`progress`: hears the training when no model is stored yet)."""
    model, meta = model_for(db, data_dir, taxonomy, progress)
    return [dict(p, model=meta["version"]) for p in model.predict(docs)]


def _confidence(pred: dict, target: str) -> float:
    cats = pred["scores"]["categories"]
    label_p = min(cats[c] for c in pred["categories"]) if pred["categories"] else 0.0
    actor_p = min(pred["scores"]["actors"][a] for a in pred["actors"])
    return round(min(label_p, actor_p, pred["scores"]["targets"][target]), 4)


def _level(score: float) -> str:
    return "high" if score >= 0.8 else "medium" if score >= 0.5 else "low"


def _skip_reason(doc: pd.Series, pred: dict) -> str | None:
    if pred["routed"] != "classified":
        return f"language {pred['lang']!r} is not supported; routed for a reader"
    if not pred["actors"]:
        return "no codebook actor found"
    if not pred["targets"]:
        return "no target country found"
    if not isinstance(doc["date"], str) or not isinstance(doc["url"], str):
        return "a proposal needs the document's date and url"
    return None


def record_id(doc_id: str, target: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._:-]+", "-", str(doc_id)).strip("-")[:90] or "doc"
    return f"triage-{slug}-{target}"


def _record(doc: pd.Series, pred: dict, target: str, sentences: dict, version: str) -> dict:
    score = _confidence(pred, target)
    notes = {"triage": {"model": version, "document": doc["id"], "confidence": score,
                        "lang": pred["lang"], "scores": pred["scores"], "sentences": sentences}}
    return {"id": record_id(doc["id"], target), "actors": pred["actors"], "target": target,
            "start_date": doc["date"], "title": (doc["title"] or doc["text"][:120]).strip(),
            "narrative": doc["text"] or None,
            "sources": [{"url": doc["url"], "publisher": urlparse(doc["url"]).netloc}],
            "indicators": pred["categories"], "confidence": _level(score),
            "notes": json.dumps(notes, ensure_ascii=False)}


def propose(db: Database, data_dir: Path, docs: pd.DataFrame,
            progress: Progress | None = None) -> dict:
    """Write `proposed` records (one per predicted target) for every document that has an
    actor, a target, a date and a url; returns {proposed: [ids], skipped: [{id, reason}],
    model}. Records already in the ledger are skipped, so a re-run adds nothing twice."""
    model, meta = model_for(db, data_dir, "codebook", progress)
    docs = docs.reset_index(drop=True)
    preds = model.predict(docs)
    texts = prepare(docs).texts
    why = {"proposed": [], "skipped": [], "model": meta["version"]}
    plans = []
    for j, pred in enumerate(preds):
        reason = _skip_reason(docs.loc[j], pred)
        if reason:
            why["skipped"].append({"id": docs.loc[j, "id"], "reason": reason})
        else:
            plans.append(j)
    sents = driving_sentences(model.labels, [texts[j] for j in plans],
                              [preds[j]["categories"] for j in plans])
    for j, sentences in zip(plans, sents):
        for target in preds[j]["targets"]:
            _propose_one(db, docs.loc[j], preds[j], target, sentences, meta["version"], why)
    return why


def _propose_one(db, doc, pred, target, sentences, version, why) -> None:
    rec = _record(doc, pred, target, sentences, version)
    if _exists(db, rec["id"]):
        why["skipped"].append({"id": doc["id"], "reason": f"{rec['id']} is already in the ledger"})
        return
    add_evidence(db, rec, coder=f"{CODER_PREFIX}{version}")
    why["proposed"].append(rec["id"])


def _exists(db: Database, rid: str) -> bool:
    from sharppower.errors import NotFound

    try:
        get_evidence(db, rid)
    except NotFound:
        return False
    return True


def triage_notes(notes: str | None) -> dict:
    """The triage block of a record's notes ({} when absent or edited out of shape)."""
    try:
        data = json.loads(notes or "")
    except (TypeError, ValueError):
        return {}
    return data.get("triage", {}) if isinstance(data, dict) else {}


def queue(db: Database, status: str = "proposed") -> list[dict]:
    """Triage records of a status, most confident first: the ledger's list columns plus
    confidence_score, sentences ({label: [sentence]}), scores and model."""
    rows = []
    for rec in list_evidence(db, status=status).to_dict("records"):
        if not str(rec["coder"]).startswith(CODER_PREFIX):
            continue
        info = triage_notes(get_evidence(db, rec["id"]).get("notes"))
        rows.append(dict(rec, confidence_score=info.get("confidence", 0.0),
                         sentences=info.get("sentences", {}), scores=info.get("scores", {}),
                         model=info.get("model")))
    return sorted(rows, key=lambda r: (-r["confidence_score"], r["id"]))


def decide(db: Database, rid: str, decision: str, reviewer: str) -> dict:
    """Accept or reject a proposal through the ledger's review (never by its coder)."""
    return review(db, rid, decision, reviewer)
