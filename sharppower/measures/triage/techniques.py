"""DISARM technique proposals: a nearest-neighbour ranker over TF-IDF texts, trained on
coded examples (the DISARM framework's example incidents, reviewed ledger records) and
the framework's own technique descriptions, and its grouped cross-validation.

A technique's score for a text blends (1 - `description_weight`) x the similarity-
weighted vote of the text's `neighbours` nearest coded examples (cosine on word TF-IDF)
with `description_weight` x the cosine between the text and the technique's name and
summary; every technique of the framework can be proposed, those with coded examples
rank by both. `propose` returns the `top` techniques over `min_score`, best first:
proposals for a reviewer, never applied by themselves (the ledger's
technique_proposals hold them until a reviewer accepts or rejects each one).

`cross_validate(examples, descriptions, folds)`: folds grouped by `group` (an example
incident's excerpts, or a record's target x year, never on both sides); reports
precision@1, precision@3, recall@3 and recall@5 over all held-out texts, and per-
technique precision, recall and F1 of the top-3 proposals for the techniques with at
least MIN_EXAMPLES examples (their macro-F1), against a baseline that proposes the
training fold's most frequent techniques.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import GroupKFold

from sharppower.measures.triage.scores import per_label

MIN_EXAMPLES = 5  # techniques with this many examples get a per-technique F1
TOP = 3


def _vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(ngram_range=(1, 2), min_df=1, max_df=0.8, sublinear_tf=True,
                           strip_accents="unicode", stop_words="english")


@dataclass
class TechniqueModel:
    neighbours: int = 10
    description_weight: float = 0.6
    techniques: list[str] = field(default_factory=list)
    vectorizer: TfidfVectorizer | None = None
    x_train: object = None
    y_train: np.ndarray | None = None
    x_desc: object = None
    n_train: int = 0

    def fit(self, texts: list[str], labels: list[list[str]],
            descriptions: dict[str, str]) -> TechniqueModel:
        """`texts` with their technique lists; `descriptions`: technique id -> name and
        summary (the framework; labels outside it are ignored)."""
        self.techniques = sorted(descriptions)
        index = {t: j for j, t in enumerate(self.techniques)}
        self.vectorizer = _vectorizer().fit(list(texts) + [descriptions[t] for t in self.techniques])
        self.x_train = self.vectorizer.transform(texts)
        self.y_train = np.zeros((len(texts), len(self.techniques)))
        for row, items in enumerate(labels):
            for item in items:
                if item in index:
                    self.y_train[row, index[item]] = 1.0
        self.x_desc = self.vectorizer.transform([descriptions[t] for t in self.techniques])
        self.n_train = len(texts)
        return self

    def scores(self, texts: list[str]) -> np.ndarray:
        """(texts, techniques) scores in [0, 1]."""
        x = self.vectorizer.transform(texts)
        desc = (x @ self.x_desc.T).toarray()
        vote = np.zeros_like(desc)
        if self.n_train:
            sim = (x @ self.x_train.T).toarray()
            k = min(self.neighbours, self.n_train)
            for i, row in enumerate(sim):
                near = np.argsort(-row)[:k]
                weight = row[near]
                if weight.sum() > 0:
                    vote[i] = weight @ self.y_train[near] / weight.sum()
        return (1 - self.description_weight) * vote + self.description_weight * desc

    def propose(self, texts: list[str], top: int = TOP,
                min_score: float = 0.0) -> list[list[tuple[str, float]]]:
        out = []
        for row in self.scores(texts) if texts else []:
            order = np.argsort(-row, kind="stable")[:top]
            out.append([(self.techniques[j], round(float(row[j]), 4)) for j in order
                        if row[j] > min_score])
        return out


def _frequency_baseline(labels: list[list[str]], top: int) -> list[str]:
    counts = Counter(t for ls in labels for t in ls)
    return [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]


def _at_k(truth: list[list[str]], ranked: list[list[str]], k: int) -> tuple[float, float]:
    """Mean precision@k and recall@k over texts with at least one true technique."""
    prec = [len(set(r[:k]) & set(t)) / k for t, r in zip(truth, ranked) if t]
    rec = [len(set(r[:k]) & set(t)) / len(set(t)) for t, r in zip(truth, ranked) if t]
    return (round(float(np.mean(prec)), 4) if prec else 0.0,
            round(float(np.mean(rec)), 4) if rec else 0.0)


def _summary(truth, ranked, frequent: list[str]) -> dict:
    p1, _ = _at_k(truth, ranked, 1)
    p3, r3 = _at_k(truth, ranked, 3)
    _, r5 = _at_k(truth, ranked, 5)
    per = per_label(truth, [r[:TOP] for r in ranked], frequent)
    return {"precision_at_1": p1, "precision_at_3": p3, "recall_at_3": r3, "recall_at_5": r5,
            "macro_f1_top3": round(float(np.mean([c["f1"] for c in per.values()])), 4)
            if per else None, "per_technique": per}


def cross_validate(examples: pd.DataFrame, descriptions: dict[str, str], folds: int = 5,
                   model: TechniqueModel | None = None) -> dict:
    """Grouped cross-validation on `examples` (columns text, techniques, group)."""
    start = time.perf_counter()
    frame = examples.reset_index(drop=True)
    truth = [[t for t in ls if t in descriptions] for ls in frame["techniques"]]
    groups = list(frame["group"])
    folds = min(folds, len(set(groups)))
    ranked: list[list[str]] = [[] for _ in range(len(frame))]
    baseline: list[list[str]] = [[] for _ in range(len(frame))]
    for train, test in GroupKFold(n_splits=folds).split(frame, groups=groups):
        fitted = TechniqueModel(**({} if model is None else {
            "neighbours": model.neighbours, "description_weight": model.description_weight}))
        fitted.fit([frame.at[i, "text"] for i in train], [truth[i] for i in train], descriptions)
        props = fitted.propose([frame.at[i, "text"] for i in test], top=5)
        common = _frequency_baseline([truth[i] for i in train], 5)
        for i, prop in zip(test, props):
            ranked[i] = [t for t, _ in prop]
            baseline[i] = common
    counts = Counter(t for ls in truth for t in ls)
    frequent = sorted(t for t, n in counts.items() if n >= MIN_EXAMPLES)
    return {"n": len(frame), "groups": len(set(groups)), "folds": folds,
            "techniques_coded": len(counts), "techniques_with_enough_examples": len(frequent),
            "min_examples": MIN_EXAMPLES, "model": _summary(truth, ranked, frequent),
            "baseline_most_frequent": _summary(truth, baseline, frequent),
            "seconds": round(time.perf_counter() - start, 2)}
