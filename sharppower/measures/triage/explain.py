"""The sentences that drove each proposed label: every sentence of a document is scored
alone by the label's model, and the best-scoring sentences are kept (model-agnostic, so
it works the same for every feature kind)."""

from __future__ import annotations

import numpy as np

from sharppower.measures.triage.classify import LabelModel
from sharppower.measures.triage.text import sentences

PER_LABEL = 2


def driving_sentences(model: LabelModel, texts: list[str], chosen: list[list[str]],
                      per_label: int = PER_LABEL) -> list[dict[str, list[str]]]:
    """Per document: {label: its best sentences, best first} for the labels chosen."""
    split = [sentences(t) or [t] for t in texts]
    flat = [s for parts in split for s in parts]
    proba = model.proba(flat) if flat else np.zeros((0, len(model.labels)))
    index = {name: j for j, name in enumerate(model.labels)}
    out, at = [], 0
    for parts, labels in zip(split, chosen):
        block = proba[at:at + len(parts)]
        at += len(parts)
        out.append({lab: [parts[i] for i in np.argsort(-block[:, index[lab]])[:per_label]]
                    for lab in labels if lab in index})
    return out
