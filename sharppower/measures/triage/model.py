"""The triage model: labels (classify.LabelModel), actors (actors.ActorModel) and targets
(targets.TargetModel) over cleaned, language-routed texts. Takes plain DataFrames:

- training frame: id, title, text, actors (list of ISO3), target (ISO3), year,
  categories (list), indicators (list), one row per accepted record;
- documents: id, title, text.

`predict(docs)` returns one dict per document: id, lang, routed ('classified' or
'unsupported_language'), actors, targets, categories (each a list, best first), scores
({'categories': {label: p}, 'actors': {...}, 'targets': {...}}) and domains (codebook)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from sharppower.codebook import load_codebook
from sharppower.measures.triage import lang, taxonomy
from sharppower.measures.triage.actors import ActorModel
from sharppower.measures.triage.classify import LabelModel
from sharppower.measures.triage.gazetteer import WORD, gazetteer
from sharppower.measures.triage.targets import TargetModel, candidates
from sharppower.measures.triage.text import document_text, plain_text

DEFAULT_KIND = "tfidf_char"  # best macro-F1 in grouped CV on the ASD incidents (benchmarks/triage.py)


@dataclass
class Prepared:
    texts: list[str]
    langs: list[tuple[str, float]]
    mentions: list
    title_tokens: list[int]
    n_tokens: list[int]


@lru_cache(maxsize=8192)
def _analyse(title: str, text: str) -> tuple:
    """Cleaned text, language, mentions, title and text token counts of one document
    (cached: cross-validation sees each document in several folds)."""
    clean = document_text(title, text)
    return (clean, lang.detect(clean), gazetteer().find(clean),
            len(WORD.findall(plain_text(title))), len(WORD.findall(clean)))


def prepare(frame: pd.DataFrame) -> Prepared:
    rows = [_analyse(str(t or ""), str(x or "")) for t, x in zip(frame["title"], frame["text"])]
    return Prepared(*[list(col) for col in zip(*rows)]) if rows else Prepared([], [], [], [], [])


def _cands(prep: Prepared, exclude: list[set[str]]):
    return [candidates(m, t, n, ex) for m, t, n, ex in
            zip(prep.mentions, prep.title_tokens, prep.n_tokens, exclude)]


@dataclass
class TriageModel:
    taxonomy: str = "codebook"
    kind: str = DEFAULT_KIND
    labels: LabelModel = field(default_factory=LabelModel)
    actors: ActorModel = field(default_factory=ActorModel)
    targets: TargetModel = field(default_factory=TargetModel)
    n_train: int = 0

    def fit(self, frame: pd.DataFrame,
            progress: Callable[[str, int, int], None] | None = None) -> TriageModel:
        """Fit the three models; `progress(step, done, total)` is called before each of
        the four steps (reading the texts, the labels, the actors, the targets) and once
        at the end (done == total)."""
        say = progress or (lambda *_: None)
        taxonomy.check(self.taxonomy)
        frame = frame.reset_index(drop=True)
        say(f"reading {len(frame)} texts (cleaning, language, place names)", 0, 4)
        prep = prepare(frame)
        groups = [f"{t}:{y}" for t, y in zip(frame["target"], frame["year"])]
        labels = [taxonomy.record_labels(c, i, self.taxonomy)
                  for c, i in zip(frame["categories"], frame["indicators"])]
        keep = [j for j, ls in enumerate(labels) if ls]
        say(f"fitting the label model on {len(keep)} labelled records", 1, 4)
        self.labels = LabelModel(kind=self.kind).fit(
            [prep.texts[j] for j in keep], [labels[j] for j in keep], [groups[j] for j in keep],
            taxonomy.vocabulary(self.taxonomy))
        say("fitting the actor model", 2, 4)
        self.actors = ActorModel().fit(prep.texts, prep.mentions, list(frame["actors"]),
                                       list(load_codebook().actors), groups)
        say("fitting the target model", 3, 4)
        cands = _cands(prep, [set(a) for a in frame["actors"]])
        self.targets = TargetModel().fit(cands, list(frame["target"]), groups)
        self.n_train = len(frame)
        say("trained", 4, 4)
        return self

    def predict(self, docs: pd.DataFrame) -> list[dict]:
        docs = docs.reset_index(drop=True)
        prep = prepare(docs)
        ok = [j for j, (code, _) in enumerate(prep.langs) if lang.supported(code)]
        out = [self._routed(docs.loc[j, "id"], prep.langs[j]) for j in range(len(docs))]
        if not ok:
            return out
        sub = Prepared(*[[getattr(prep, f)[j] for j in ok] for f in Prepared.__dataclass_fields__])
        label_p = self.labels.proba(sub.texts)
        label_sets = self.labels.decide(label_p)
        actor_p = self.actors.proba(sub.texts, sub.mentions)
        actor_sets = self.actors.decide(actor_p)
        target_sets = self.targets.decide(_cands(sub, [set(a) for a in actor_sets]))
        for k, j in enumerate(ok):
            out[j].update(self._result(label_p[k], label_sets[k], actor_p[k], actor_sets[k],
                                       target_sets[k]))
        return out

    @staticmethod
    def _routed(doc_id, detected) -> dict:
        code, prob = detected
        route = "classified" if lang.supported(code) else "unsupported_language"
        return {"id": doc_id, "lang": code, "lang_probability": round(prob, 4), "routed": route,
                "actors": [], "targets": [], "categories": [], "domains": [],
                "scores": {"categories": {}, "actors": {}, "targets": {}}}

    def _result(self, label_p, labels, actor_p, actors, targets) -> dict:
        doms = taxonomy.domains()
        domains = ([] if self.taxonomy != "codebook" else
                   list(dict.fromkeys(doms[c] for c in labels if c in doms)))
        return {"categories": labels, "actors": actors, "targets": [c for c, _ in targets],
                "domains": domains,
                "scores": {"categories": {n: round(float(p), 4) for n, p in
                                          zip(self.labels.labels, label_p)},
                           "actors": {n: round(float(p), 4) for n, p in
                                      zip(self.actors.actors, actor_p)},
                           "targets": {c: round(p, 4) for c, p in targets}}}
