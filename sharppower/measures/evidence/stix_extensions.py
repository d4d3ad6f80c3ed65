"""The two STIX 2.1 extensions our incidents declare, as the specification asks
(section 7.3: an `extension-definition` object per extension, named in each object's
`extensions` with its `extension_type`):

- `EXTENSION_ID` (property-extension): the evidence record's own fields (actors, target,
  dates with their precision, ongoing, categories, indicators, techniques, origin), so our
  own exports import losslessly. Its normative JSON schema is `stix_extension.schema.json`
  next to this module (the definition's `schema` is that file's URL). Empty values are
  omitted: STIX 2.1 forbids null properties and empty lists.
- `SEEN_EXTENSION_ID` (toplevel-property-extension): `first_seen` and `last_seen` on the
  incident itself, where OpenCTI reads an incident's dates (its incident entity has them;
  STIX 2.1's incident has no date of its own).
"""

from __future__ import annotations

import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import stix2

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/sharppower/sharppower")
EPOCH = "2024-01-01T00:00:00.000Z"
IDENTITY_ID = f"identity--{uuid.uuid5(NAMESPACE, 'identity:sharppower')}"
EXTENSION_ID = f"extension-definition--{uuid.uuid5(NAMESPACE, 'extension:evidence-record:1')}"
SEEN_EXTENSION_ID = f"extension-definition--{uuid.uuid5(NAMESPACE, 'extension:incident-seen:1')}"
SCHEMA_FILE = Path(__file__).with_name("stix_extension.schema.json")
SCHEMA_URL = ("https://github.com/sharppower/sharppower/blob/main/sharppower/measures/evidence/"
              "stix_extension.schema.json")
EXT_FIELDS = ("actors", "target", "start_date", "start_precision", "end_date", "end_precision",
              "ongoing", "categories", "indicators", "techniques", "origin", "origin_key",
              "withdrawn_from_source")
SEEN_FIELDS = ("first_seen", "last_seen")


@cache
def record_schema() -> dict[str, Any]:
    """The JSON schema of the record extension (what `SCHEMA_URL` publishes)."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def definitions() -> list[stix2.ExtensionDefinition]:
    """The extension-definition objects of every export."""
    record = stix2.ExtensionDefinition(
        id=EXTENSION_ID, created_by_ref=IDENTITY_ID, created=EPOCH, modified=EPOCH,
        name="sharppower evidence record",
        description="The fields of a sharppower evidence record: actors and target (ISO3), "
        "dates with their precision (day, month, year) or ongoing, source categories, "
        "codebook indicators, DISARM techniques, origin. Empty values are omitted.",
        schema=SCHEMA_URL, version="1.1.0", extension_types=["property-extension"])
    seen = stix2.ExtensionDefinition(
        id=SEEN_EXTENSION_ID, created_by_ref=IDENTITY_ID, created=EPOCH, modified=EPOCH,
        name="incident first and last seen",
        description="first_seen and last_seen (timestamps) on an incident: the first and "
        "last day of the activity it reports, as OpenCTI's incidents carry them. last_seen "
        "is omitted when the activity is ongoing or has no end date.",
        schema="first_seen: timestamp, the start of the first day of the activity; "
        "last_seen: timestamp, the end of its last day (omitted when ongoing or unknown); "
        "first_seen <= last_seen.",
        version="1.0.0", extension_types=["toplevel-property-extension"],
        extension_properties=list(SEEN_FIELDS))
    return [record, seen]


def record_fields(rec: dict[str, Any]) -> dict[str, Any]:
    """The record extension of `rec`: its EXT_FIELDS without null or empty values."""
    out = {k: rec[k] for k in EXT_FIELDS if rec.get(k) is not None and rec.get(k) != []}
    return out | {"extension_type": "property-extension"}


def seen(rec: dict[str, Any]) -> dict[str, str]:
    """first_seen (start of the record's first day) and, with an end date, last_seen (end
    of its last day)."""
    out = {"first_seen": f"{rec['start_date']}T00:00:00.000Z"}
    if rec.get("end_date") and not rec.get("ongoing"):
        out["last_seen"] = f"{rec['end_date']}T23:59:59.999Z"
    return out


def extensions(rec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The `extensions` property of the record's incident."""
    return {EXTENSION_ID: record_fields(rec),
            SEEN_EXTENSION_ID: {"extension_type": "toplevel-property-extension"}}
