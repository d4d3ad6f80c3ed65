"""The two label sets: the codebook's sharp-power indicators (`codebook`, default; each
with its domain) and ASD's own tool names (`asd`), and the training labels of a record in
each. A record is labelled in `asd` only when it carries ASD tools (its `categories`)."""

from __future__ import annotations

from functools import lru_cache

from sharppower.codebook import Codebook, load_codebook

TAXONOMIES = ("codebook", "asd")
# ASD Authoritarian Interference Tracker tool names, as the tracker spells them.
ASD_TOOLS = ("Information Manipulation", "Civil Society Subversion", "Cyber Operations",
             "Economic Coercion", "Malign Finance", "Kinetic Operations")


@lru_cache(maxsize=1)
def _codebook() -> Codebook:
    return load_codebook()


def check(taxonomy: str) -> str:
    if taxonomy not in TAXONOMIES:
        from sharppower.errors import ValidationError

        raise ValidationError("taxonomy", f"must be one of {', '.join(TAXONOMIES)}, not {taxonomy!r}")
    return taxonomy


@lru_cache(maxsize=4)
def _vocabulary(taxonomy: str) -> tuple[str, ...]:
    if check(taxonomy) == "asd":
        return ASD_TOOLS
    ind = _codebook().indicators
    return tuple(ind[ind["source"] == "evidence"]["code"])


def vocabulary(taxonomy: str) -> list[str]:
    """Every label the taxonomy may use."""
    return list(_vocabulary(taxonomy))


@lru_cache(maxsize=1)
def domains() -> dict[str, str]:
    """Codebook evidence indicator -> its domain."""
    ind = _codebook().indicators
    ind = ind[ind["source"] == "evidence"]
    return dict(zip(ind["code"], ind["domain"]))


def record_labels(categories: list, indicators: list, taxonomy: str) -> list[str] | None:
    """A record's labels in the taxonomy, or None when it says nothing in it."""
    allowed = _vocabulary(taxonomy)
    raw = categories if taxonomy == "asd" else indicators
    labels = [str(x) for x in (raw or []) if str(x) in allowed]
    return labels or None
