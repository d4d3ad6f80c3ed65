"""The DISARM framework's coded example incidents (`DISARM_DATA_MASTER.xlsx`, sheet
`incidenttechniques`: one excerpt of an incident report per row, with the incident id and
the DISARM technique ids it illustrates) as training texts for technique proposals.

`read_examples(path)` -> (DataFrame id, group (the incident id: excerpts of one incident
stay in one cross-validation fold), text (the quoted source without the analyst's
paragraphs that name the techniques: `source_text`), techniques (list), warnings). A malformed
technique id (the published file has one: `T00145.006`) is left out, and a row left
with none, or with no text once the commentary is dropped, is skipped, each with a warning naming the file, the row and the field; an
unreadable file or a missing column is an InputError."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from sharppower.errors import InputError

DATA_MASTER = "DISARM_DATA_MASTER.xlsx"
SHEET = "incidenttechniques"
TECHNIQUE = re.compile(r"^T\d{4}(\.\d{3})?$")
CITES_TECHNIQUE = re.compile(r"\bT\d{4}\b")
PARAGRAPH = re.compile(r"(?:<br\s*/?>\s*)+|\n\s*\n")
TAG = re.compile(r"<[^>]+>")


def source_text(text: str) -> str:
    """The example without the analyst's commentary: every paragraph that cites a
    technique id ("In this example ... (T0143.004: Parody Persona)") is dropped, as the
    answer would otherwise sit in the text; tags are removed."""
    keep = [p for p in PARAGRAPH.split(text) if not CITES_TECHNIQUE.search(p)]
    return re.sub(r"\s+", " ", TAG.sub(" ", " ".join(keep))).strip()


def read_examples(path: Path) -> tuple[pd.DataFrame, list[str]]:
    path = Path(path)
    where = f"{path}!{SHEET}"
    try:
        sheet = pd.read_excel(path, sheet_name=SHEET, engine="openpyxl", dtype=str)
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(str(path), f"cannot read sheet {SHEET!r}: {exc}") from None
    missing = [c for c in ("disarm_id", "name", "incident_id", "technique_ids")
               if c not in sheet.columns]
    if missing:
        raise InputError(where, "missing column(s)", field=", ".join(missing))
    rows, warnings = [], []
    for i, rec in enumerate(sheet.to_dict("records")):
        row = i + 2  # the header is row 1
        raw = str(rec["name"]).strip() if pd.notna(rec["name"]) else ""
        if not raw:
            raise InputError(where, "an example needs its text", row=row, field="name")
        text = source_text(raw)
        if not text:
            warnings.append(f"{where}, row {row}, field 'name': no text left once the "
                            "paragraphs naming techniques are dropped; skipped")
            continue
        ids = [t.strip() for t in str(rec["technique_ids"] or "").split(",") if t.strip()] \
            if pd.notna(rec["technique_ids"]) else []
        bad = [t for t in ids if not TECHNIQUE.match(t)]
        if bad:
            warnings.append(f"{where}, row {row}, field 'technique_ids': not a DISARM "
                            f"technique id, left out: {', '.join(bad)}")
        ids = [t for t in ids if TECHNIQUE.match(t)]
        if not ids:
            warnings.append(f"{where}, row {row}, field 'technique_ids': no technique; skipped")
            continue
        rows.append({"id": rec["disarm_id"], "group": rec["incident_id"] or rec["disarm_id"],
                     "text": text, "techniques": ids})
    return pd.DataFrame(rows, columns=["id", "group", "text", "techniques"]), warnings
