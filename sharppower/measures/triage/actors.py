"""Which codebook actor acted: per actor, a calibrated logistic regression (classify.py)
on the text's TF-IDF features and the gazetteer's counts of that actor's names, demonyms
and state words (Kremlin, Xinhua, ...). A text that no actor passes has no codebook
actor (`other`: `actors` is empty and nothing is proposed)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sharppower.measures.triage.classify import CalibratedLinear
from sharppower.measures.triage.gazetteer import Mention

THRESHOLD = 0.5


def cue_matrix(mentions: list[list[Mention]], actors: list[str]) -> np.ndarray:
    """Per text and actor: log counts of its names, demonyms, state words, and whether
    the first country mention is the actor."""
    out = np.zeros((len(mentions), 4 * len(actors)))
    for i, found in enumerate(mentions):
        first = next((m.iso3 for m in found if m.kind != "city"), None)
        for a, actor in enumerate(actors):
            mine = [m for m in found if m.iso3 == actor]
            for k, kind in enumerate(("name", "demonym", "actor_term")):
                out[i, 4 * a + k] = np.log1p(sum(m.kind == kind for m in mine))
            out[i, 4 * a + 3] = float(first == actor)
    return out


@dataclass
class ActorModel:
    actors: list[str] = field(default_factory=list)
    model: CalibratedLinear | None = None

    def fit(self, texts: list[str], mentions: list[list[Mention]], actors: list[list[str]],
            known: list[str], groups: list[str]) -> ActorModel:
        self.actors = [a for a in known if 3 <= sum(a in row for row in actors) < len(actors)]
        y = np.array([[a in row for a in self.actors] for row in actors], dtype=int)
        self.model = CalibratedLinear("tfidf")
        self.model.fit(texts, y, groups, cue_matrix(mentions, self.actors))
        return self

    def proba(self, texts: list[str], mentions: list[list[Mention]]) -> np.ndarray:
        if not texts or not self.actors:
            return np.zeros((len(texts), len(self.actors)))
        return self.model.proba(texts, cue_matrix(mentions, self.actors))

    def decide(self, proba: np.ndarray) -> list[list[str]]:
        """Actors over the threshold, best first; none passes -> [] (another actor)."""
        return [[self.actors[j] for j in np.argsort(-row) if row[j] >= THRESHOLD]
                for row in proba]
