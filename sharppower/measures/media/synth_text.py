"""Synthetic article text and the edits of a reprint (used by synth.py).

Text is made of pseudo-words (a Zipf-weighted general vocabulary plus a vocabulary per
topic), so two articles on the same topic share words but not long word sequences, as
real news does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

EDITS = ("verbatim", "cut", "cut_small", "reorder", "intro", "substitute", "combined", "too_early")
KINDS = ("attributed", "unattributed", "reattributed")
WIRE_OUTLETS = {"Xinhua": "CHN", "CGTN": "CHN", "China Daily": "CHN", "People's Daily": "CHN",
                "Global Times": "CHN", "RT": "RUS", "Sputnik": "RUS"}
COUNTRIES = {"KEN": ("Nairobi", ["kenya-herald.example", "nairobi-times.example"]),
             "GHA": ("Accra", ["accra-mail.example", "ghana-voice.example", "gold-coast-news.example"]),
             "UGA": ("Kampala", ["kampala-post.example", "nile-daily.example"])}
REUSE = (0.03, 0.08, 0.15)
START = date(2022, 1, 1)
NAMES = ("Amina Otieno", "Kwame Mensah", "Grace Nakato", "Peter Mwangi", "Ama Owusu")


@dataclass
class Vocab:
    words: np.ndarray
    general: np.ndarray      # cumulative Zipf weights of the general vocabulary
    topics: list[np.ndarray]  # word ids per topic


def make_vocab(rng: np.random.Generator, n_general: int = 6000, n_topics: int = 60,
               per_topic: int = 80) -> Vocab:
    sy = np.array([c + v for c in "bdfgklmnprstvz" for v in "aeiou"] + ["an", "el", "or", "is"])
    total = n_general + n_topics * per_topic
    lengths = rng.integers(1, 4, size=total * 2)
    parts = rng.integers(0, len(sy), size=(total * 2, 3))
    words = list(dict.fromkeys("".join(sy[p[:n]]) for p, n in zip(parts, lengths)))[:total]
    weights = 1.0 / np.arange(1, n_general + 1) ** 1.05
    topics = [np.arange(n_general + t * per_topic, n_general + (t + 1) * per_topic)
              for t in range(n_topics)]
    return Vocab(np.array(words, dtype=object), np.cumsum(weights) / weights.sum(), topics)


def paragraphs(rng, vocab: Vocab, topic: int, n_words: int) -> list[str]:
    general = np.searchsorted(vocab.general, rng.random(n_words))
    topical = rng.choice(vocab.topics[topic], size=n_words)
    ids = np.where(rng.random(n_words) < 0.3, topical, general)
    words = vocab.words[ids]
    cuts = np.cumsum(rng.integers(40, 90, size=n_words // 40 + 2))
    paras = [" ".join(words[a:b]) for a, b in zip(np.r_[0, cuts], cuts) if a < n_words]
    return [p[0].upper() + p[1:] + "." for p in paras if p]


def dateline(outlet: str, day: date) -> str:
    return f"BEIJING, {day.strftime('%b')}. {day.day} ({outlet}) -- " if outlet == "Xinhua" else ""


def credit_line(rng, kind: str, outlet: str) -> tuple[str, str]:
    """(text to prepend, text to append) for an attribution kind."""
    if kind == "attributed":
        return [(f"({outlet}) -- ", ""), ("", f"\n\nSource: {outlet}"),
                ("", f"\n\n{outlet} reported the story first.")][rng.integers(3)]
    if kind == "reattributed":
        name = NAMES[rng.integers(len(NAMES))]
        return [(f"By {name}, Staff Writer\n\n", ""), ("(AFP) -- ", ""),
                ("", "\n\nSource: Reuters")][rng.integers(3)]
    return "", ""


def edit(rng, vocab: Vocab, paras: list[str], how: str, topic: int) -> tuple[list[str], float]:
    """Apply an edit; returns the paragraphs and the share of the wire words kept."""
    total = sum(len(p.split()) for p in paras)
    if how in ("cut", "cut_small", "combined"):
        lo, hi = {"cut": (0.5, 0.9), "cut_small": (0.2, 0.45), "combined": (0.6, 0.9)}[how]
        paras = cut(paras, rng.uniform(lo, hi))
    if how == "reorder":
        paras = [paras[i] for i in rng.permutation(len(paras))]
    if how in ("substitute", "combined"):
        paras = substitute(rng, vocab, paras, 0.05 if how == "substitute" else 0.03)
    kept = sum(len(p.split()) for p in paras) / total
    if how in ("intro", "combined"):
        paras = paragraphs(rng, vocab, (topic + 7) % len(vocab.topics), int(rng.integers(40, 120))) + paras
    return paras, round(kept, 4)


def cut(paras: list[str], share: float) -> list[str]:
    words = [w for p in paras for w in p.split()]
    keep = max(1, round(share * len(words)))
    out, used = [], 0
    for p in paras:
        w = p.split()
        if used >= keep:
            break
        out.append(" ".join(w[:keep - used]))
        used += len(w[:keep - used])
    return out


def substitute(rng, vocab: Vocab, paras: list[str], rate: float) -> list[str]:
    out = []
    for p in paras:
        w = np.array(p.split(), dtype=object)
        hit = rng.random(len(w)) < rate
        w[hit] = vocab.words[rng.integers(0, 6000, size=int(hit.sum()))]
        out.append(" ".join(w))
    return out


def strip_dateline(paras: list[str]) -> list[str]:
    first = paras[0].split(" -- ", 1)
    return [first[-1], *paras[1:]] if len(first) == 2 and "(" in first[0] else paras


def wire_articles(rng, vocab: Vocab, n: int, days: int) -> list[dict]:
    outlets = list(WIRE_OUTLETS)
    out = []
    for i in range(n):
        outlet = outlets[rng.integers(len(outlets))]
        day = START + timedelta(days=int(rng.integers(days)))
        topic = int(rng.integers(len(vocab.topics)))
        paras = paragraphs(rng, vocab, topic, int(rng.integers(180, 500)))
        paras[0] = dateline(outlet, day) + paras[0]
        out.append({"id": f"w{i}", "outlet": outlet, "country": WIRE_OUTLETS[outlet],
                    "date": day.isoformat(), "url": f"https://wire.example/{i}",
                    "title": f"Wire story {i}", "text": "\n\n".join(paras), "_topic": topic})
    return out
