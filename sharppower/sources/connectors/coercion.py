"""Cases of Chinese coercion against governments, 2010-2020: the published table.

Published as `coerciveCCPforgGov.xlsx` in github.com/ryanammons/test-dash-app351 (the
mirror holds a CSV conversion, `coercion_cases_governments.csv`; the parser reads
either). Columns Country, Year, Category; one row per case, year precision, no source
URL per case. The file appears to be the Australian Strategic Policy Institute's data
(The Chinese Communist Party's coercive diplomacy, 2020) but its provenance is
undocumented: the citation says so and the records have confidence `medium`.

`parse` returns the cases as text; the evidence ledger (`sharppower.measures.evidence.
coercion`) makes each an accepted record for actor CHN coded through
`measures/evidence/mappings/coercion.yaml` and loads them. The companies file is not
loaded (its cases target firms, not governments).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sharppower.errors import InputError
from sharppower.sources.base import Source, SourceFile, Universe
from sharppower.sources.snapshot import Snapshot

FILE = "coercion_cases_governments.csv"
COMMIT = "f643713927097f12068b52ca04dc53d410db6c9d"
COLUMNS = ("Country", "Year", "Category")


def read_table(path: Path) -> pd.DataFrame:
    """The cases as text columns, from the published xlsx or its CSV conversion."""
    try:
        if path.read_bytes()[:2] == b"PK":
            df = pd.read_excel(path, dtype=str, engine="openpyxl").fillna("")
        else:
            df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError(FILE, f"cannot be read: {exc}") from None
    for col in COLUMNS:
        if col not in df.columns:
            raise InputError(FILE, "missing column", row=1, field=col)
    return df.apply(lambda s: s.str.strip())


def parse(snapshot: Snapshot, res=None) -> pd.DataFrame:
    """The cases (Country, Year, Category as text), in file order: row i is file row i + 2."""
    return read_table(snapshot.path(FILE))


SOURCE = Source(
    name="coercion-cases",
    universe=Universe(years=(2010, 2020), note="a case list of China's coercion of any country 2010-2020: a country without a case had none recorded"),
    actors=("CHN",),
    title="Cases of Chinese coercion against foreign governments, 2010-2020",
    publisher="Australian Strategic Policy Institute (ASPI; attribution not verified: the file "
    "comes from a GitHub copy, ryanammons/test-dash-app351, provenance undocumented)",
    homepage="https://github.com/ryanammons/test-dash-app351",
    licence="None stated; provenance undocumented (the cases appear to come from the Australian "
    "Strategic Policy Institute, whose content is generally (c) ASPI). Verify before reuse.",
    redistribute=('observations', 'records'),
    citation="coerciveCCPforgGov.xlsx, github.com/ryanammons/test-dash-app351 (commit "
    f"{COMMIT[:7]}, 2021-07-09); apparently from F. Hanson, E. Currey and T. Beattie, The "
    "Chinese Communist Party's coercive diplomacy, ASPI, September 2020 (attribution not verified).",
    files=(SourceFile(
        FILE,
        f"https://raw.githubusercontent.com/ryanammons/test-dash-app351/{COMMIT}/coerciveCCPforgGov.xlsx",
        "coercion_cases/coercion_cases_governments.csv",
        format="xlsx",
        derive="the connector reads the workbook (read_table); the mirror holds a CSV conversion",
        checked="GitHub raw URL pinned to a full commit; not fetched from here (no network)",
    ),),
    parse=parse,
    coverage="27 countries listed (and the EU, skipped), 2010-2020, actor CHN",
    kind="evidence",
    notes="Provenance uncertain: records are accepted with confidence medium.",
)
