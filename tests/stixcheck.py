"""The full OASIS STIX 2.1 validator (stix2-validator: JSON schemas, MUST and SHOULD
checks) run offline against the official schemas vendored in fixtures/stix21_schemas.

stix2-validator 3.3.1 looks for its schemas next to its own module and its wheel ships
none; `validate` points that default at the vendored copy (the schema stage then runs on
every object, and a type without a schema is an error, not a silent skip)."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import stix2validator.validator as stix_validator
from stix2validator import ValidationOptions, validate_string

SCHEMAS = Path(__file__).parent / "fixtures" / "stix21_schemas" / "schemas"
_original = stix_validator._get_error_generator


def _with_vendored_schemas(name, obj, schema_dir=None, version="2.1", default="core"):
    if schema_dir is None:
        if stix_validator.find_schema(str(SCHEMAS), name) is None and not name.startswith(
                "extension-definition--") and default == "core":
            raise AssertionError(f"no vendored STIX 2.1 schema for {name!r}")
        schema_dir = str(SCHEMAS)
    return _original(name, obj, schema_dir, version, default)


def validate(text: str, accepted: tuple[str, ...] = ()) -> list[str]:
    """Validate the bundle `text`; AssertionError on any error or on a warning whose text
    contains none of the `accepted` codes. Returns the warnings."""
    with mock.patch.object(stix_validator, "_get_error_generator", _with_vendored_schemas):
        results = validate_string(text, ValidationOptions(strict=False, version="2.1"))
    results = results if isinstance(results, list) else [results]
    errors = [f"{r.object_id}: {e}" for r in results for e in r.errors or []]
    assert all(r.is_valid for r in results) and not errors, errors[:20]
    warnings = [f"{r.object_id}: {w}" for r in results for w in r.warnings or []]
    unaccepted = [w for w in warnings if not any(c in w for c in accepted)]
    assert not unaccepted, unaccepted[:20]
    return warnings
