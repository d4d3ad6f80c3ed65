"""Issue 12, finding 10: the country resolver is strict. Exact codes, names and declared
aliases (any letter case, accents, spacing) resolve; anything with characters no name has
resolves to nothing, and an unknown target is an error naming the field."""

from __future__ import annotations

import pytest

from sharppower.countries import CountryResolver
from sharppower.errors import ValidationError
from sharppower.measures.evidence.records import normalise

RES = CountryResolver()
RECORD = {"title": "t", "actors": ["CHN"], "start_date": "2020", "coder": "ana",
          "sources": [{"url": "https://example.org/a"}]}


@pytest.mark.parametrize("text", ["$(id)", "the netherlands!!", "(id)", "netherlands;",
                                  "<script>", "C*hina", "🇳🇱"])
def test_text_that_is_no_name_resolves_to_nothing(text):
    assert RES.resolve(text) is None


@pytest.mark.parametrize("text, iso3", [
    ("The Netherlands", "NLD"), ("netherlands", "NLD"), ("nld", "NLD"), ("NL", "NLD"),
    ("528", "NLD"), ("Bolívia", "BOL"), ("bolivia", "BOL"), ("Côte d’Ivoire", "CIV"),
    ("Cote d'Ivoire", "CIV"), ("Korea, Rep.", "KOR"), ("ROM", "ROU"), ("rom", "ROU"),
    ("Soviet Union", "SUN"), ("XK", "XKX"), ("Congo, Dem. Rep.", "COD"), ("id", "IDN"),
])
def test_codes_names_and_declared_aliases_still_resolve(text, iso3):
    assert RES.resolve(text) == iso3


@pytest.mark.parametrize("target", ["$(id)", "the netherlands!!"])
def test_an_evidence_target_that_is_no_name_is_an_error(target):
    with pytest.raises(ValidationError) as err:
        normalise({**RECORD, "target": target})
    assert err.value.field == "target" and target in str(err.value)
