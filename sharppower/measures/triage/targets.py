"""Which countries were targeted: every country the gazetteer finds (actors excluded) is a
candidate, scored by a logistic regression on how it is mentioned (counts by kind, in the
title, position of the first mention, share of all mentions, rank). Candidates over the
threshold chosen on training folds are targets, best first; the best candidate always is."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from sharppower.measures.triage.classify import best_threshold
from sharppower.measures.triage.gazetteer import Mention

N_FEATURES = 9


def candidates(mentions: list[Mention], title_tokens: int, n_tokens: int,
               exclude: set[str]) -> tuple[list[str], np.ndarray]:
    """Candidate countries of one text and their feature rows."""
    by = defaultdict(list)
    for m in mentions:
        if m.iso3 not in exclude and m.kind != "actor_term":
            by[m.iso3].append(m)
    if not by:
        return [], np.zeros((0, N_FEATURES))
    total = sum(len(v) for v in by.values())
    ranked = sorted(by, key=lambda c: (-len(by[c]), by[c][0].token))
    rows = []
    for rank, code in enumerate(ranked):
        ms = by[code]
        kinds = [m.kind for m in ms]
        rows.append([np.log1p(len(ms)), np.log1p(kinds.count("name")),
                     np.log1p(kinds.count("demonym")), np.log1p(kinds.count("city")),
                     float(any(m.token < title_tokens for m in ms)),
                     ms[0].token / max(n_tokens, 1), len(ms) / total, float(rank == 0),
                     np.log1p(len(by))])
    return ranked, np.array(rows)


@dataclass
class TargetModel:
    threshold: float = 0.5
    model: LogisticRegression | None = None

    def fit(self, cands: list[tuple[list[str], np.ndarray]], targets: list[str],
            groups: list[str]) -> TargetModel:
        x, y, g = self._stack(cands, targets, groups)
        self.model = self._new().fit(x, y)
        oof = np.zeros(len(y))
        for train, test in GroupKFold(n_splits=3).split(x, y, g):
            oof[test] = self._new().fit(x[train], y[train]).predict_proba(x[test])[:, 1]
        self.threshold = best_threshold(y, oof)
        return self

    @staticmethod
    def _new() -> LogisticRegression:
        return LogisticRegression(C=1.0, max_iter=2000)

    @staticmethod
    def _stack(cands, targets, groups):
        xs, ys, gs = [], [], []
        for (codes, rows), target, group in zip(cands, targets, groups):
            xs.append(rows)
            ys += [int(c == target) for c in codes]
            gs += [group] * len(codes)
        return np.vstack(xs), np.array(ys), np.array(gs)

    def decide(self, cands: list[tuple[list[str], np.ndarray]]) -> list[list[tuple[str, float]]]:
        out = []
        for codes, rows in cands:
            if not codes:
                out.append([])
                continue
            p = self.model.predict_proba(rows)[:, 1]
            order = np.argsort(-p)
            keep = [(codes[j], float(p[j])) for j in order if p[j] >= self.threshold]
            out.append(keep or [(codes[order[0]], float(p[order[0]]))])
        return out
