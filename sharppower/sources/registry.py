"""SOURCES: every source a connector module declares, by name.

A connector is a module of `sharppower.sources.connectors` that defines `SOURCE` (a
`Source`); dropping one into the package registers it (`discover`), with no list to edit.
The build loads each source in its own step (`sharppower.pipeline`), in the order the
steps' `needs` give. Sources are listed in the order of their module names.
"""

from __future__ import annotations

import importlib
import pkgutil

from sharppower.errors import NotFound, SharppowerError
from sharppower.sources import connectors
from sharppower.sources.base import Source


def connector_modules() -> list[str]:
    """Dotted names of the modules of the connectors package (its `__path__`), sorted."""
    return sorted(f"{connectors.__name__}.{m.name}" for m in pkgutil.iter_modules(connectors.__path__)
                  if not m.ispkg and not m.name.startswith("_"))


def discover() -> dict[str, Source]:
    """Every connector module's SOURCE by name; a name declared twice is an error."""
    out: dict[str, Source] = {}
    for path in connector_modules():
        source = getattr(importlib.import_module(path), "SOURCE", None)
        if not isinstance(source, Source):
            continue
        if source.name in out:
            raise SharppowerError(f"source {source.name!r} is declared twice (again in {path})")
        out[source.name] = source
    return out


SOURCES: dict[str, Source] = discover()


def get_source(name: str) -> Source:
    try:
        return SOURCES[name]
    except KeyError:
        raise NotFound(f"unknown source {name!r}; known: {', '.join(SOURCES)}") from None
