"""Grouped cross-validation of the triage model on a training frame (model.py): folds
grouped by target country and start year, so near-duplicate incidents (the same episode
told twice) never sit on both sides. Thresholds are chosen inside each training fold.

`cross_validate(frame, taxonomy, kind, folds)` returns a report dict: per_class
(label -> precision, recall, f1, support), macro_f1, micro_f1, actor_accuracy (the
predicted actor set equals the true one), target_precision (share of predicted targets
that are the record's target), target_recall (share of records whose target is
predicted), fold_macro_f1 (macro-F1 of each outer fold alone, to show fold noise), n,
folds, kind, taxonomy, grouping, seconds."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold

from sharppower.measures.triage import taxonomy as tax
from sharppower.measures.triage.model import TriageModel
from sharppower.measures.triage.scores import per_label

GROUPING = "target country x start year"


def _micro(truth, pred) -> float:
    tp = sum(len(set(t) & set(p)) for t, p in zip(truth, pred))
    n = sum(len(t) for t in truth) + sum(len(p) for p in pred)
    return round(2 * tp / n, 4) if n else 0.0


def _macro(truth: list[list[str]], pred: list[list[str]], labels: list[str]) -> float:
    per = per_label(truth, pred, [v for v in labels if any(v in t for t in truth)])
    return round(float(np.mean([c["f1"] for c in per.values()])), 4) if per else 0.0


def folds_of(frame: pd.DataFrame, folds: int):
    groups = [f"{t}:{y}" for t, y in zip(frame["target"], frame["year"])]
    return GroupKFold(n_splits=folds).split(frame, groups=groups)


def cross_validate(frame: pd.DataFrame, taxonomy: str = "codebook", kind: str | None = None,
                   folds: int = 5) -> dict:
    start = time.perf_counter()
    frame = frame.reset_index(drop=True)
    truth = [tax.record_labels(c, i, taxonomy) or [] for c, i in
             zip(frame["categories"], frame["indicators"])]
    pred: list[list[str]] = [[] for _ in range(len(frame))]
    actors_ok = np.zeros(len(frame), dtype=bool)
    hits, predicted, fold_macro = 0, 0, []
    for train, test in folds_of(frame, folds):
        model = TriageModel(taxonomy=taxonomy, **({"kind": kind} if kind else {}))
        model.fit(frame.iloc[train])
        docs = frame.iloc[test][["id", "title", "text"]]
        for j, res in zip(test, model.predict(docs)):
            pred[j] = res["categories"]
            actors_ok[j] = set(res["actors"]) == set(frame.at[j, "actors"])
            predicted += len(res["targets"])
            hits += frame.at[j, "target"] in res["targets"]
        mine = [j for j in test if truth[j]]
        fold_macro.append(_macro([truth[j] for j in mine], [pred[j] for j in mine],
                                 tax.vocabulary(taxonomy)))
    labelled = [j for j, t in enumerate(truth) if t]
    per_class = per_label([truth[j] for j in labelled], [pred[j] for j in labelled],
                           [v for v in tax.vocabulary(taxonomy)
                            if any(v in truth[j] for j in labelled)])
    return {"taxonomy": taxonomy, "kind": kind or TriageModel().kind, "folds": folds,
            "grouping": GROUPING, "n": len(frame), "n_labelled": len(labelled),
            "per_class": per_class,
            "macro_f1": round(float(np.mean([c["f1"] for c in per_class.values()])), 4),
            "fold_macro_f1": fold_macro,
            "micro_f1": _micro([truth[j] for j in labelled], [pred[j] for j in labelled]),
            "actor_accuracy": round(float(actors_ok.mean()), 4),
            "target_precision": round(hits / predicted, 4) if predicted else 0.0,
            "target_recall": round(hits / len(frame), 4),
            "seconds": round(time.perf_counter() - start, 1)}
