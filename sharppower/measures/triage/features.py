"""Text features, by name (`FEATURES`): word TF-IDF (`tfidf`), word plus character n-gram
TF-IDF (`tfidf_char`), and word TF-IDF plus WordLlama static embeddings (`tfidf_wordllama`;
the 256-dimension L2 "supercat" model ships inside the `wordllama` wheel and is loaded
from the installed package, never downloaded)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer


def _word() -> TfidfVectorizer:
    return TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_df=0.9, sublinear_tf=True,
                           strip_accents="unicode", max_features=60000)


def _char() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True,
                           max_features=80000)


@lru_cache(maxsize=1)
def wordllama():
    """WordLlama from the files inside the installed package (no network)."""
    import wordllama as package
    from safetensors import safe_open
    from wordllama.inference import WordLlamaInference
    from wordllama.tokenizers import tokenizer_from_file

    root = Path(package.__file__).parent
    with safe_open(str(root / "weights" / "l2_supercat_256.safetensors"), framework="np") as f:
        embedding = f.get_tensor("embedding.weight")
    return WordLlamaInference(embedding, tokenizer_from_file("l2_supercat_tokenizer_config.json"))


_EMBEDDED: dict[str, np.ndarray] = {}  # text -> vector (cross-validation embeds texts again)


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length WordLlama vectors, one row per text."""
    missing = list(dict.fromkeys(t for t in texts if t not in _EMBEDDED))
    if missing:
        vectors = np.asarray(wordllama().embed(missing, norm=True), dtype=np.float64)
        if len(_EMBEDDED) > 20000:
            _EMBEDDED.clear()
        _EMBEDDED.update(zip(missing, vectors))
    return np.vstack([_EMBEDDED[t] for t in texts]) if texts else np.zeros((0, 256))


class Features:
    """fit(texts) / transform(texts) -> sparse matrix, for one feature kind."""

    def __init__(self, kind: str, embedding_weight: float = 2.0):
        if kind not in FEATURES:
            raise ValueError(f"unknown feature kind {kind!r} (one of {', '.join(FEATURES)})")
        self.kind, self.embedding_weight = kind, embedding_weight
        self.vectorizers = [_word()] + ([_char()] if kind == "tfidf_char" else [])

    def fit(self, texts: list[str]) -> Features:
        for v in self.vectorizers:
            v.fit(texts)
        return self

    def fit_transform(self, texts: list[str], extra: np.ndarray | None = None) -> sp.csr_matrix:
        """fit(texts) then transform(texts, extra), counting the texts' terms once."""
        return self._join([v.fit_transform(texts) for v in self.vectorizers], texts, extra)

    def transform(self, texts: list[str], extra: np.ndarray | None = None) -> sp.csr_matrix:
        """Features of the texts; `extra` (dense rows, one per text) is appended."""
        return self._join([v.transform(texts) for v in self.vectorizers], texts, extra)

    def _join(self, parts: list, texts: list[str], extra: np.ndarray | None) -> sp.csr_matrix:
        if extra is not None:
            parts.append(sp.csr_matrix(extra))
        if self.kind == "tfidf_wordllama":
            parts.append(sp.csr_matrix(embed(texts) * self.embedding_weight))
        return sp.hstack(parts, format="csr") if len(parts) > 1 else parts[0].tocsr()


FEATURES = ("tfidf", "tfidf_char", "tfidf_wordllama")
