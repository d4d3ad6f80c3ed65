"""A component's name as a reader knows it: an index, pillar or domain by the spec's
label (the codebook's names), an indicator by its codebook name; never a code such as
"exp_devfin_stock_trade" on a page. A source by its short title, and what a score rests
on in those names (`sources_text`: "rests on: A, B; not covered by C", or "not covered by
any source")."""

from __future__ import annotations

from collections.abc import Callable

from sharppower.codebook import packaged_codebook
from sharppower.index.spec import load_spec
from sharppower.sources.registry import SOURCES

OWN = {"evidence": "the evidence ledgers (ASD, EUvsDisinfo, coercion cases)",
       "index": "derived in the index"}


_NAMES: dict[str, tuple[object, dict[str, str]]] = {}  # what -> (codebook, mapping)


def _per_codebook(what: str, compute) -> dict[str, str]:
    """`compute()` once per codebook in use (packaged, or extended by the user codebook:
    `packaged_codebook` returns a new object when that file changes); the packaged spec is
    fixed for the process. Pages name thousands of components per request."""
    book = packaged_codebook()
    kept = _NAMES.get(what)
    if kept is None or kept[0] is not book:
        kept = _NAMES[what] = (book, compute())
    return kept[1]


def _component_names() -> dict[str, str]:
    names = dict(zip(packaged_codebook().indicators["code"],
                     packaged_codebook().indicators["name"]))
    names.update(load_spec().labels)
    return names


def component_names() -> dict[str, str]:
    """code -> name of every index, pillar, domain and codebook indicator."""
    return dict(_per_codebook("components", _component_names))


def component_name(code: str) -> str:
    """The reader's name of a component code; an unknown code with spaces for underscores."""
    return component_namer()(code)


def component_namer() -> Callable[[str], str]:
    """`component_name` for naming many codes in a row: the codebook in use is looked up
    once (a profile names tens of thousands of components)."""
    names = _per_codebook("components", _component_names)
    return lambda code: names.get(code, code.replace("_", " "))


def source_name(source: str) -> str:
    """A source's short plain name: its registered title up to a colon or a bracket
    ("IMF Direction of Trade Statistics"), else the source code in words."""
    spec = SOURCES.get(source)
    if spec is None:
        return OWN.get(source, source.replace("-", " ").replace("_", " "))
    return spec.title.split(":")[0].split(" (")[0].split(", with ")[0].strip()


def indicator_sources() -> dict[str, str]:
    """indicator code -> the short names of the sources it comes from (codebook `source`;
    a ratio the spec derives: its inputs' sources, joined by ' and '); once per codebook."""
    return dict(_per_codebook("sources", _indicator_sources))


def _indicator_sources() -> dict[str, str]:
    ind = packaged_codebook().indicators
    out = {c: source_name(s) for c, s in zip(ind["code"], ind["source"]) if isinstance(s, str)}
    for code, inputs in load_spec().derived.items():
        out[code] = " and ".join(dict.fromkeys(out[i] for i in inputs if i in out))
    return out


def sources_text(rests_on: list[str], uncovered: list[str]) -> str:
    """'rests on: A, B; not covered by C' or 'not covered by any source'."""
    if not rests_on:
        return "not covered by any source"
    text = "rests on: " + ", ".join(rests_on)
    return text + (f"; not covered by {', '.join(uncovered)}" if uncovered else "")
