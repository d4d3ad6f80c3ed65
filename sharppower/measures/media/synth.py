"""`sharppower media synth`: a synthetic corpus with known truth.

Writes wire.jsonl, local.jsonl and truth.jsonl (gzip when `gz`): one truth line per local
article with its kind (`reprint`, `same_topic`, `unrelated`), the wire article it
reprints, the edit applied (synth_text.EDITS: verbatim, cut to 50-90%, cut_small to
20-45%, paragraphs reordered, a local introduction, 5% of words substituted, combined
cut + intro + substitution, too_early: dated more than a day before its source, so
not a match), the share of the wire words kept and the attribution given. Each local
outlet has its own reuse rate (REUSE); 30% of the non-reprints are on the topic of a
recent wire story and quote 15-40 words of it (a near miss for the matcher).
"""

from __future__ import annotations

import gzip
import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from sharppower.measures.media import synth_text as st


def local_article(rng, vocab, wires, i: int, outlet: str, country: str, rate: float) -> tuple[dict, dict]:
    wire = wires[rng.integers(len(wires))]
    wday = date.fromisoformat(wire["date"])
    truth = {"local_id": f"l{i}", "outlet": outlet, "country": country}
    if rng.random() < rate:
        how = st.EDITS[rng.integers(len(st.EDITS))]
        kind = st.KINDS[rng.integers(len(st.KINDS))]
        paras = wire["text"].split("\n\n")
        if kind != "attributed" or rng.random() < 0.5:
            paras = st.strip_dateline(paras)
        paras, kept = st.edit(rng, vocab, paras, how, wire["_topic"])
        head, tail = st.credit_line(rng, kind, wire["outlet"])
        text = head + "\n\n".join(paras) + tail
        shift = -int(rng.integers(3, 10)) if how == "too_early" else int(rng.integers(0, 6))
        truth.update(kind="reprint", wire_id=wire["id"], edit=how, kept=kept, attribution=kind)
    else:
        same = rng.random() < 0.3
        topic = wire["_topic"] if same else int(rng.integers(len(vocab.topics)))
        paras = st.paragraphs(rng, vocab, topic, int(rng.integers(150, 500)))
        if same:  # quotes a passage of the wire story, as a different article on it would
            words = wire["text"].split()
            start = int(rng.integers(0, max(1, len(words) - 40)))
            paras.insert(1, '"' + " ".join(words[start:start + int(rng.integers(15, 40))]) + '"')
        text = "\n\n".join(paras)
        shift = int(rng.integers(0, 6)) if same else int(rng.integers(-20, 20))
        truth.update(kind="same_topic" if same else "unrelated",
                     wire_id=wire["id"] if same else None)
    day = wday + timedelta(days=shift)
    art = {"id": f"l{i}", "outlet": outlet, "country": country, "date": day.isoformat(),
           "url": f"https://{outlet}/{i}", "title": f"Story {i}", "text": text, "lang": "en"}
    return art, truth


def outlets() -> list[tuple[str, str, float]]:
    out = []
    for country, (_, names) in st.COUNTRIES.items():
        for k, name in enumerate(names):
            out.append((name, country, st.REUSE[k % len(st.REUSE)]))
    return out


def _open(path: Path):
    return gzip.open(path, "wt", encoding="utf-8") if path.suffix == ".gz" else open(
        path, "w", encoding="utf-8")


def synth_corpus(out_dir: str | Path, n_local: int = 2000, n_wire: int | None = None,
                 seed: int = 0, days: int = 330, gz: bool = False) -> dict[str, Path]:
    """Write the corpus; returns the paths {"wire", "local", "truth"}."""
    rng = np.random.default_rng(seed)
    vocab = st.make_vocab(rng)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = ".jsonl.gz" if gz else ".jsonl"
    paths = {k: out_dir / f"{k}{suffix}" for k in ("wire", "local", "truth")}
    wires = st.wire_articles(rng, vocab, n_wire or max(50, n_local // 5), days)
    with _open(paths["wire"]) as f:
        for w in wires:
            f.write(json.dumps({k: v for k, v in w.items() if k != "_topic"}) + "\n")
    sites = outlets()
    with _open(paths["local"]) as fl, _open(paths["truth"]) as ft:
        for i in range(n_local):
            outlet, country, rate = sites[rng.integers(len(sites))]
            art, truth = local_article(rng, vocab, wires, i, outlet, country, rate)
            fl.write(json.dumps(art) + "\n")
            ft.write(json.dumps(truth) + "\n")
    return paths
