"""Stored triage models: one folder per model under `<data dir>/triage/models/<version>/`
with `model.pkl` (the fitted TriageModel; pickles are only read from this folder, which
sharppower writes) and `meta.json` (version, taxonomy, kind, trained_at, fingerprint of the
training set, n_train, labels, thresholds, untrained labels and the evaluation report).
The latest model of a taxonomy is the one trained last."""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from sharppower.measures.triage.model import TriageModel

FINGERPRINT_COLUMNS = ["id", "title", "text", "actors", "target", "year", "categories", "indicators"]


def fingerprint(frame: pd.DataFrame) -> str:
    """sha256 of the training set's content (row order does not matter)."""
    rows = sorted(json.dumps([_plain(r[c]) for c in FINGERPRINT_COLUMNS], default=str)
                  for r in frame.to_dict("records"))
    return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()


def _plain(value):
    return list(value) if isinstance(value, (list, tuple)) else value


def models_dir(root: Path) -> Path:
    return Path(root) / "models"


def save(root: Path, model: TriageModel, fp: str, report: dict | None) -> dict:
    """Store a fitted model with its metadata; returns the metadata."""
    at = datetime.now(UTC)
    version = f"{model.taxonomy}-{model.kind}-{at:%Y%m%dT%H%M%S%f}-{fp[:8]}"
    meta = {"version": version, "taxonomy": model.taxonomy, "kind": model.kind,
            "trained_at": at.isoformat(), "fingerprint": fp, "n_train": model.n_train,
            "labels": model.labels.labels, "untrained_labels": model.labels.untrained,
            "thresholds": model.labels.thresholds, "actors": model.actors.actors,
            "target_threshold": model.targets.threshold, "evaluation": report}
    base = models_dir(root)
    base.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=base))
    try:
        (tmp / "model.pkl").write_bytes(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2), "utf-8")
        tmp.rename(base / version)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return meta


def catalogue(root: Path, taxonomy: str | None = None) -> list[dict]:
    """Metadata of every stored model (of a taxonomy), newest first."""
    base = models_dir(root)
    metas = [json.loads(p.read_text("utf-8")) for p in sorted(base.glob("*/meta.json"))
             if not p.parent.name.startswith(".")] if base.is_dir() else []
    metas = [m for m in metas if taxonomy in (None, m["taxonomy"])]
    return sorted(metas, key=lambda m: m["trained_at"], reverse=True)


def latest(root: Path, taxonomy: str) -> tuple[TriageModel, dict] | None:
    """The newest model of a taxonomy and its metadata, or None."""
    metas = catalogue(root, taxonomy)
    if not metas:
        return None
    folder = models_dir(root) / metas[0]["version"]
    return pickle.loads((folder / "model.pkl").read_bytes()), metas[0]
