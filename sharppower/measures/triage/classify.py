"""Multi-label classifier: per label, a class-balanced logistic regression on the text
features, calibrated by Platt scaling fitted on its out-of-fold scores from grouped
validation folds (so calibration never sees a text's own group), and a probability
threshold per label chosen on the same out-of-fold predictions (the F1-best threshold)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from sharppower.measures.triage.features import Features

MIN_SUPPORT = 8  # a label needs this many positive training texts to get a model
INNER_FOLDS = 3
C = 4.0
GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)


def best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The grid threshold with the highest F1 (ties: the lower threshold)."""
    best, best_f1 = 0.5, -1.0
    for t in GRID:
        pred = p >= t
        tp = float(np.sum(pred & (y == 1)))
        f1 = 2 * tp / (pred.sum() + y.sum()) if (pred.sum() + y.sum()) else 0.0
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(t), f1
    return best


def label_matrix(labels: list[list[str]], names: list[str]) -> np.ndarray:
    index = {n: i for i, n in enumerate(names)}
    y = np.zeros((len(labels), len(names)), dtype=int)
    for row, items in enumerate(labels):
        for item in items:
            if item in index:
                y[row, index[item]] = 1
    return y


def linear(c: float) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight="balanced", max_iter=3000, solver="liblinear")


def platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Sigmoid (a, b) with p = 1 / (1 + exp(-(a * score + b)))."""
    if y.min() == y.max():
        return 0.0, float(np.log((y.mean() + 1e-3) / (1 - y.mean() + 1e-3)))
    fit = LogisticRegression(C=1e4, max_iter=1000).fit(scores.reshape(-1, 1), y)
    return float(fit.coef_[0, 0]), float(fit.intercept_[0])


def sigmoid(scores: np.ndarray, ab: tuple[float, float]) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(ab[0] * scores + ab[1])))


@dataclass
class CalibratedLinear:
    """Linear scores on one feature matrix for several binary targets, Platt-calibrated on
    grouped out-of-fold scores. `oof` keeps the calibrated out-of-fold probabilities."""

    kind: str = "tfidf"
    c: float = C
    features: Features | None = None
    models: list = field(default_factory=list)
    calibration: list = field(default_factory=list)

    def fit(self, texts: list[str], y: np.ndarray, groups: list[str], extra=None) -> np.ndarray:
        scores = np.zeros(y.shape)
        folds = min(INNER_FOLDS, len(set(groups)))
        for train, test in GroupKFold(n_splits=folds).split(texts, y, groups):
            inner = CalibratedLinear(self.kind, self.c)
            inner._fit_raw([texts[i] for i in train], y[train], _rows(extra, train))
            scores[test] = inner._scores([texts[i] for i in test], _rows(extra, test))
        self._fit_raw(texts, y, extra)
        self.calibration = [platt(scores[:, j], y[:, j]) for j in range(y.shape[1])]
        return np.column_stack([sigmoid(scores[:, j], ab) for j, ab in enumerate(self.calibration)])

    def _fit_raw(self, texts, y, extra) -> None:
        self.features = Features(self.kind)
        x = self.features.fit_transform(texts, extra)
        self.models = [linear(self.c).fit(x, y[:, j]) if 0 < y[:, j].sum() < len(y) else None
                       for j in range(y.shape[1])]

    def _scores(self, texts, extra=None) -> np.ndarray:
        x = self.features.transform(texts, extra)
        return np.column_stack([m.decision_function(x) if m is not None else np.zeros(len(texts))
                                for m in self.models])

    def proba(self, texts: list[str], extra=None) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(self.models)))
        s = self._scores(texts, extra)
        return np.column_stack([sigmoid(s[:, j], ab) for j, ab in enumerate(self.calibration)])


def _rows(extra, index):
    return None if extra is None else extra[index]


@dataclass
class LabelModel:
    """Fit on texts and label lists; `proba(texts)` -> (n, labels) probabilities."""

    kind: str = "tfidf"
    labels: list[str] = field(default_factory=list)
    untrained: list[str] = field(default_factory=list)
    thresholds: dict[str, float] = field(default_factory=dict)
    model: CalibratedLinear | None = None

    def fit(self, texts: list[str], labels: list[list[str]], groups: list[str],
            vocabulary: list[str]) -> LabelModel:
        counts = {v: sum(v in ls for ls in labels) for v in vocabulary}
        self.labels = [v for v in vocabulary if counts[v] >= MIN_SUPPORT]
        self.untrained = [v for v in vocabulary if 0 < counts[v] < MIN_SUPPORT]
        y = label_matrix(labels, self.labels)
        self.model = CalibratedLinear(self.kind)
        oof = self.model.fit(texts, y, groups)
        self.thresholds = {name: best_threshold(y[:, j], oof[:, j])
                           for j, name in enumerate(self.labels)}
        return self

    def proba(self, texts: list[str]) -> np.ndarray:
        if not texts or not self.labels:
            return np.zeros((len(texts), len(self.labels)))
        return self.model.proba(texts)

    def decide(self, proba: np.ndarray, at_least_one: bool = True) -> list[list[str]]:
        """Labels over their thresholds, best first; the best one if none passes."""
        out = []
        for row in proba:
            order = np.argsort(-row)
            chosen = [self.labels[j] for j in order if row[j] >= self.thresholds[self.labels[j]]]
            if not chosen and at_least_one and len(order):
                chosen = [self.labels[order[0]]]
            out.append(chosen)
        return out
