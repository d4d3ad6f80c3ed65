"""Coder agreement: Krippendorff's alpha (nominal) from the coincidence matrix.

`alpha_nominal(units)` takes one list of values per unit (the values the coders gave;
missing values are None or left out) and follows Krippendorff (2011), "Computing
Krippendorff's Alpha-Reliability": units with fewer than two values are not pairable;
each pairable unit u with m_u values adds (number of c-k pairs) / (m_u - 1) to the
coincidence o_ck; n_c = sum_k o_ck, n = sum_c n_c and

    alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c * n_k

It is undefined (None) when the data hold a single value (no expected disagreement).

`agreement(db, scheme)` treats every record with two or more independent codings as a unit and
each evidence indicator as a binary nominal variable (coded / not coded): alpha per
indicator over the records, and overall over every record x indicator pair, for the
indicators at least one coder used. The same holds for DISARM technique coding
(`scheme="techniques"`): codings list indicator codes and technique ids side by side. Disagreements list the record, the indicator and
who did and did not code it, for adjudication (`update_evidence`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import permutations
from typing import Any

import pandas as pd

from sharppower.errors import ValidationError
from sharppower.measures.evidence import store
from sharppower.measures.evidence.disarm import TECHNIQUE
from sharppower.store import Database

PER_INDICATOR_COLUMNS = ["indicator", "alpha", "units", "values", "coded", "disagreements"]
DISAGREEMENT_COLUMNS = ["evidence_id", "title", "indicator", "coded_by", "not_coded_by"]


def coincidences(units: Iterable[Sequence[Hashable | None]]) -> tuple[Counter, int]:
    """The coincidence matrix {(c, k): o_ck} and the number of pairable units."""
    matrix: Counter = Counter()
    pairable = 0
    for unit in units:
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        pairable += 1
        for a, b in permutations(range(m), 2):
            matrix[(values[a], values[b])] += 1.0 / (m - 1)
    return matrix, pairable


def alpha_nominal(units: Iterable[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's alpha for nominal data (None when undefined)."""
    matrix, _ = coincidences(units)
    totals: Counter = Counter()
    for (c, _k), o in matrix.items():
        totals[c] += o
    n = sum(totals.values())
    observed = sum(o for (c, k), o in matrix.items() if c != k)
    expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k)
    if n <= 1 or expected == 0:
        return None
    return 1.0 - (n - 1) * observed / expected


def units_from_matrix(rows: Sequence[Sequence[Hashable | None]]) -> list[list[Hashable | None]]:
    """Reliability data as coders x units (Krippendorff's layout) -> one list per unit."""
    return [list(col) for col in zip(*rows)]


@dataclass
class Agreement:
    overall: dict[str, Any]
    per_indicator: pd.DataFrame
    disagreements: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        return {"overall": self.overall,
                "per_indicator": self.per_indicator.astype(object).where(
                    self.per_indicator.notna(), None).to_dict("records"),
                "disagreements": self.disagreements.to_dict("records")}


def _double_coded(db: Database) -> list[dict[str, Any]]:
    with db.connect() as conn:
        recs = store.read_records(conn, order=False)
    return sorted((r for r in recs if len(r["codings"]) >= 2), key=lambda r: r["id"])


SCHEMES = ("indicators", "techniques")


def _in_scheme(code: str, scheme: str) -> bool:
    """Codings hold codebook indicators and DISARM technique ids side by side."""
    return bool(TECHNIQUE.match(code)) == (scheme == "techniques")


def agreement(db: Database, scheme: str = "indicators") -> Agreement:
    """Alpha per code and overall over the double-coded records, with disagreements.

    `scheme`: `indicators` (codebook codes) or `techniques` (DISARM technique ids: the
    column `indicator` then holds the technique id); each is agreement on its own codes.

    overall: {alpha, records, units, coders}; per_indicator columns PER_INDICATOR_COLUMNS
    (values = pairable values, coded = how many codings chose it); disagreements columns
    DISAGREEMENT_COLUMNS."""
    if scheme not in SCHEMES:
        raise ValidationError("scheme", f"must be one of {', '.join(SCHEMES)}, not {scheme!r}")
    recs = _double_coded(db)
    codes = sorted({c for r in recs for codes in r["codings"].values() for c in codes
                    if _in_scheme(c, scheme)})
    rows, pooled, disagreements = [], [], []
    for code in codes:
        units = [[int(code in chosen) for chosen in r["codings"].values()] for r in recs]
        pooled.extend(units)
        split = [r for r, u in zip(recs, units) if 0 < sum(u) < len(u)]
        for r in split:
            disagreements.append({
                "evidence_id": r["id"], "title": r["title"], "indicator": code,
                "coded_by": sorted(c for c, v in r["codings"].items() if code in v),
                "not_coded_by": sorted(c for c, v in r["codings"].items() if code not in v)})
        rows.append({"indicator": code, "alpha": alpha_nominal(units), "units": len(units),
                     "values": sum(len(u) for u in units), "coded": sum(sum(u) for u in units),
                     "disagreements": len(split)})
    coders = sorted({c for r in recs for c in r["codings"]})
    overall = {"alpha": alpha_nominal(pooled), "records": len(recs), "units": len(pooled),
               "coders": coders}
    return Agreement(overall, pd.DataFrame(rows, columns=PER_INDICATOR_COLUMNS),
                     pd.DataFrame(disagreements, columns=DISAGREEMENT_COLUMNS))
