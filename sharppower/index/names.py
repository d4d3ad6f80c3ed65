"""A component's name as a reader knows it: an index, pillar or domain by the spec's
label (the codebook's names), an indicator by its codebook name; never a code such as
"exp_devfin_stock_trade" on a page."""

from __future__ import annotations

from sharppower.codebook import packaged_codebook
from sharppower.index.spec import load_spec


def component_names() -> dict[str, str]:
    """code -> name of every index, pillar, domain and codebook indicator."""
    names = dict(zip(packaged_codebook().indicators["code"],
                     packaged_codebook().indicators["name"]))
    names.update(load_spec().labels)
    return names


def component_name(code: str) -> str:
    """The reader's name of a component code; an unknown code with spaces for underscores."""
    return component_names().get(code, code.replace("_", " "))
