"""The declared mappings and settings in `mappings/*.yaml`, read and checked against the
codebook (every indicator named must be an evidence indicator of the codebook)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from sharppower.codebook import Codebook
from sharppower.errors import ValidationError
from sharppower.measures.evidence.records import evidence_indicators
from sharppower.sources.registry import SOURCES
from sharppower.yaml_load import safe_load

PACKAGE = "sharppower.measures.evidence"


def mapping_text(name: str) -> str:
    return resources.files(PACKAGE).joinpath("mappings", f"{name}.yaml").read_text("utf-8")


def load_mapping(name: str, codebook: Codebook, path: str | Path | None = None) -> dict[str, Any]:
    """The mapping `name` (asd, coercion, values) or a YAML file of the same shape."""
    where = str(path) if path else f"measures/evidence/mappings/{name}.yaml"
    text = Path(path).read_text("utf-8") if path else mapping_text(name)
    try:
        data = safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ValidationError("(yaml)", str(exc), where=where) from None
    allowed = evidence_indicators(codebook)
    for key in ("tools", "categories"):
        for label, codes in (data.get(key) or {}).items():
            for code in codes or []:
                if code not in allowed:
                    raise ValidationError(f"{key}.{label}", f"{code!r} is not an evidence "
                                          "indicator of the codebook", where=where)
    for code in (data.get("coverage") or {}).get("indicators") or []:
        if code not in allowed:
            raise ValidationError("coverage.indicators", f"{code!r} is not an evidence indicator",
                                  where=where)
    for code, spec in (data.get("composites") or {}).items():
        ind = codebook.indicators[codebook.indicators["code"] == code]
        if ind.empty or ind.iloc[0]["source"] != "evidence" or not ind.iloc[0]["derived"]:
            raise ValidationError(f"composites.{code}", "needs a derived evidence indicator of "
                                  "the codebook", where=where)
        if spec.get("of") and spec["of"] not in codebook.pillars:
            raise ValidationError(f"composites.{code}.of", f"{spec['of']!r} is not a codebook "
                                  "pillar", where=where)
        if spec.get("origin") is not None and spec["origin"] not in SOURCES:
            raise ValidationError(f"composites.{code}.origin", f"{spec['origin']!r} is not a "
                                  "source", where=where)
        for member in spec.get("indicators") or []:
            if member not in allowed:
                raise ValidationError(f"composites.{code}.indicators", f"{member!r} is not an "
                                      "evidence indicator", where=where)
    composites = data.get("composites") or {}
    for code, years in (data.get("windows") or {}).items():
        if (code not in allowed and code not in composites) or not isinstance(years, int) \
                or years < 1:
            raise ValidationError(f"windows.{code}", "needs an evidence indicator and a "
                                  "whole number of years >= 1", where=where)
    return data
