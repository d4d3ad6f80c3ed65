"""The measures a page can show, named as the analysis library names them
(`sharppower.analysis.common.measure`): the influence index, a pillar or a domain of the
index (``index:<level>:<name>``), or any codebook indicator code."""

from __future__ import annotations

from sharppower.errors import ValidationError
from sharppower.web.lookup import codebook

INDEX = "index:index:influence"


def measure_options() -> list[dict]:
    """Every measure with its label, kind (index, pillar, domain, indicator) and unit."""
    book = codebook()
    options = [{"code": INDEX, "label": "Influence index (reach + sharp power)",
                "kind": "index", "unit": "score"}]
    for pcode, spec in book.pillars.items():
        options.append({"code": f"index:pillar:{pcode}", "label": f"Pillar: {spec['name']}",
                        "kind": "pillar", "unit": "score"})
    for pcode, spec in book.pillars.items():
        for dcode, dname in spec["domains"].items():
            options.append({"code": f"index:domain:{dcode}", "label": f"Domain: {dname}",
                            "kind": "domain", "unit": "score"})
    for row in book.indicators.itertuples(index=False):
        options.append({"code": row.code, "label": f"Indicator: {row.name}",
                        "kind": "indicator", "unit": row.unit})
    return options


def describe(code: str) -> dict:
    """The option for one measure code (ValidationError naming the field when unknown)."""
    for option in measure_options():
        if option["code"] == code:
            return option
    raise ValidationError("measure", f"unknown measure {code!r}: the influence index "
                          f"({INDEX}), index:pillar:<pillar>, index:domain:<domain> or an "
                          "indicator code of the codebook (see /methodology.json)")
