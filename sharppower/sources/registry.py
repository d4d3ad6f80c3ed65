"""SOURCES: every registered source by name, in load order (reference, context, measures)."""

from __future__ import annotations

import importlib

from sharppower.errors import NotFound
from sharppower.sources.base import Source

# Module paths, in the order `build` loads them. A connector module exposes SOURCE.
CONNECTORS = [
    "sharppower.sources.connectors.countries",
    "sharppower.sources.connectors.freedom_house",
    "sharppower.sources.connectors.vdem",
    "sharppower.sources.connectors.wgi",
    "sharppower.sources.connectors.aiddata_gcdf",
    "sharppower.sources.connectors.confucius_institutes",
    "sharppower.sources.connectors.cow_trade",
    "sharppower.sources.connectors.aiddata_public_diplomacy",
    "sharppower.sources.connectors.imf_dots",
    "sharppower.sources.connectors.sipri_arms_transfers",
    "sharppower.sources.connectors.unga_voting",
    "sharppower.sources.connectors.china_leader_engagements",
    "sharppower.sources.connectors.bri_mou",
    "sharppower.sources.connectors.prc_state_media_accounts",
    "sharppower.sources.connectors.asd",
    "sharppower.sources.connectors.coercion",
    "sharppower.sources.connectors.disarm",
    "sharppower.sources.connectors.euvsdisinfo",  # after ASD: its cases are linked to ASD's
    "sharppower.sources.connectors.pew",
    "sharppower.sources.connectors.pew_toplines",
    "sharppower.sources.connectors.embedded_propaganda_africa",
]


def _load() -> dict[str, Source]:
    out: dict[str, Source] = {}
    for path in CONNECTORS:
        source = importlib.import_module(path).SOURCE
        out[source.name] = source
    return out


SOURCES: dict[str, Source] = _load()


def get_source(name: str) -> Source:
    try:
        return SOURCES[name]
    except KeyError:
        raise NotFound(f"unknown source {name!r}; known: {', '.join(SOURCES)}") from None
