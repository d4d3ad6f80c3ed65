"""Pew's original per-wave SPSS files (.sav), read through a declared column mapping.

Pew publishes each Spring wave as an SPSS file whose variable names and codes change from
wave to wave, so the mapping is data (YAML), not code. See `mappings/pew_spring_example.yaml`:

    year: 2024                 # or year_column: <variable holding the year>
    public_column: country     # its SPSS value labels (or the values) name the public
    publics: {}                # optional code -> ISO3 overrides
    weight_column: weight
    items: {CHN: fav_china, USA: fav_us}     # actor ISO3 -> favourability variable
    responses: {1: Very favorable, 2: Somewhat favorable, 3: Somewhat unfavorable,
                4: Very unfavorable, 8: DK, 9: Refused}
    not_asked: []              # codes meaning "not asked" (system-missing always is)

`import_wave` validates the file against the mapping (a missing column, a weight that is
not a positive number, a response code the mapping does not list, an unknown public: an
InputError naming file, row and field), computes the estimates with the same engine as the
harmonised file and saves them in one transaction. Estimates of an imported wave take the
place of the harmonised file's for the same actor, public and year.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
import yaml

from sharppower.codebook import Codebook, load_codebook
from sharppower.countries import CountryResolver, resolver
from sharppower.errors import InputError
from sharppower.measures.opinion.build import result_of
from sharppower.measures.opinion.estimate import compute_estimates
from sharppower.measures.opinion.store import save_estimates
from sharppower.measures.opinion.tables import opinion_imports
from sharppower.sources.connectors import pew
from sharppower.sources.load import record_source, summarise
from sharppower.sources.respondents import RESPONSES, resolve_publics, weights, years
from sharppower.steps import LoadResult
from sharppower.store import Database
from sharppower.store.tables import sources
from sharppower.yaml_load import safe_load

REQUIRED_KEYS = ("public_column", "weight_column", "items", "responses")


def load_mapping(path: str | Path) -> dict:
    """Read and validate a mapping file; errors name the file and the key."""
    name = Path(path).name
    try:
        data = safe_load(Path(path).read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(name, f"cannot read the mapping: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(name, "a mapping must be a YAML mapping", field="(root)")
    for key in REQUIRED_KEYS:
        if not data.get(key):
            raise InputError(name, "missing", field=key)
    if "year" not in data and "year_column" not in data:
        raise InputError(name, "give the survey year (year) or its variable (year_column)",
                         field="year")
    for actor in data["items"]:
        if not (isinstance(actor, str) and len(actor) == 3 and actor.isupper()):
            raise InputError(name, f"actors are ISO3 codes, not {actor!r}", field=f"items.{actor}")
    for code, label in data["responses"].items():
        if label not in RESPONSES:
            raise InputError(name, f"{label!r} is not one of {', '.join(RESPONSES)}",
                             field=f"responses.{code}")
    return data


def _require(df: pd.DataFrame, name: str, column: str) -> pd.Series:
    if column not in df.columns:
        raise InputError(name, f"missing column (the file has {len(df.columns)} variables; "
                         "check the mapping)", row="header", field=column)
    return df[column]


def _publics(df: pd.DataFrame, meta, mapping: dict, name: str) -> pd.Series:
    column = mapping["public_column"]
    raw = _require(df, name, column)
    labels = dict(meta.variable_value_labels.get(column, {}))
    labels.update(mapping.get("publics") or {})
    def label(v: object) -> str:
        key = int(v) if isinstance(v, float) and v.is_integer() else v
        return str(labels.get(key, key))
    return pd.Series([label(v) for v in raw], dtype=object)


def item_codes(values: pd.Series, mapping: dict, name: str, field: str) -> np.ndarray:
    """Numeric response codes -> harmonised codes 0..5 (-1 = not asked)."""
    table = {float(code): RESPONSES.index(label) for code, label in mapping["responses"].items()}
    table.update({float(code): -1 for code in mapping.get("not_asked") or []})
    numeric = pd.to_numeric(values, errors="coerce")
    codes = numeric.map(table)
    bad = values.notna() & codes.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        raise InputError(name, f"response code {values.iloc[row - 1]!r} is not in the mapping "
                         f"(known: {', '.join(map(str, mapping['responses']))})", row=row, field=field)
    return codes.fillna(-1).to_numpy().astype(np.int8)


def read_sav(path: str | Path, mapping: dict, res: CountryResolver | None = None) -> pd.DataFrame:
    """The respondent frame (schema module docstring) of one SPSS wave."""
    import pyreadstat

    path = Path(path)
    try:
        df, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except Exception as exc:
        raise InputError(path.name, f"not a readable SPSS file: {exc}") from exc
    name = path.name
    if "year_column" in mapping:
        year = years(_require(df, name, mapping["year_column"]), name, mapping["year_column"])
    else:
        year = years(pd.Series([mapping["year"]] * len(df)), name, "year")
    out = pd.DataFrame({"year": year, "public_code": _publics(df, meta, mapping, name)})
    out["weight"] = weights(_require(df, name, mapping["weight_column"]), name,
                            mapping["weight_column"])
    out["public"] = resolve_publics(out["public_code"], name, res or resolver(),
                                    mapping["public_column"])
    for actor, column in mapping["items"].items():
        out[f"opi_{actor}"] = item_codes(_require(df, name, column), mapping, name, column)
    return out


def import_wave(db: Database, path: str | Path, mapping_path: str | Path,
                codebook: Codebook | None = None, res: CountryResolver | None = None) -> LoadResult:
    """Validate, estimate and store one SPSS wave (all or nothing)."""
    path = Path(path)
    mapping = load_mapping(mapping_path)
    resp = read_sav(path, mapping, res)
    label = f"{path.name}: year={{year}}, {mapping['public_column']}={{code}}"
    est = compute_estimates(resp, path.name, label, actors=list(mapping["items"]))
    codebook = codebook or load_codebook()
    with db.begin() as conn:
        findings, obs = save_estimates(conn, est, path.name, codebook)
        conn.execute(opinion_imports.insert(), {
            "kind": "wave", "file": path.name, "rows": len(resp),
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "imported_at": datetime.now(UTC),
            "detail": json.dumps({"mapping": Path(mapping_path).name, "items": mapping["items"]})})
        known = sa.select(sources.c.name).where(sources.c.name == pew.SOURCE.name)
        if conn.execute(known).first() is None:  # no harmonised file loaded: say where from
            record_source(conn, pew.SOURCE, None, len(resp))
    result = result_of(findings, obs)
    stats = summarise(obs)
    return LoadResult(path.name, "loaded", stats["rows"], stats["countries"], stats["years"],
                      result.warnings)
