"""Language routing with py3langid (its model ships inside the wheel): the classifiers are
trained on English texts, so a text in another language is routed (its `lang` is given,
no labels are forced on it) instead of being misclassified."""

from __future__ import annotations

from functools import lru_cache

SUPPORTED = ("en",)
MIN_CHARS = 20


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, probability); ('und', 0.0) for texts too short to tell."""
    sample = (text or "").strip()
    if len(sample) < MIN_CHARS:
        return "und", 0.0
    code, prob = _identifier().classify(sample[:600])
    return str(code), float(prob)


def supported(code: str) -> bool:
    return code in SUPPORTED
