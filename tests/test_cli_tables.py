"""CLI tables at 80 columns: compact values (numbers, codes, "82.9 [80-86]") are never
broken across lines, text wraps at spaces, and no line is wider than the console."""

from __future__ import annotations

import pandas as pd
import pytest
from rich.console import Console

from sharppower.cli import common

TEXT = ("Freedom House terms of use: free to use with attribution to Freedom House, "
        "editions 2013-2024 (events of 2012-2023)")


@pytest.fixture
def narrow(monkeypatch):
    console = Console(width=80, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    monkeypatch.setattr(common, "console", console)
    yield console
    console.file.close()


def test_a_wide_table_fits_80_columns_without_breaking_values(narrow):
    rows = [{"year": 2000 + i, "n": 1000 + i, "fav [95% CI]": f"{40 + i}.1 [{38 + i}-{44 + i}]",
             "unfav [95% CI]": f"{50 + i}.9 [{48 + i}-{56 + i}]", "v.unfav": 7.2, "net": -21.7,
             "dk": 16.3, "Δ unfav": "+18.0*↑", "Δ vs 2007": "+43.8*", "flags": ""}
            for i in range(3)]
    common.print_table(pd.DataFrame(rows), title="Views")
    lines = narrow.export_text().splitlines()
    assert lines and all(len(line) <= 80 for line in lines)
    for row in rows:  # each compact value whole on one line
        line = next(x for x in lines if x.startswith(str(row["year"])))
        for key in ("n", "fav [95% CI]", "unfav [95% CI]", "Δ unfav", "Δ vs 2007"):
            assert str(row[key]) in line, (key, line)


def test_text_wraps_at_spaces_beside_compact_columns(narrow):
    rows = [{"name": "freedom-house", "licence": TEXT, "kind": "context", "coverage": TEXT}]
    common.print_table(pd.DataFrame(rows))
    lines = narrow.export_text().splitlines()
    assert all(len(line) <= 80 for line in lines) and len(lines) > 4
    assert lines[2].startswith("freedom-house ")
    words = {w for line in lines for w in line.split()}
    assert set(TEXT.split()) <= words  # every word whole, none folded


def test_missing_values_are_blank_and_markup_is_literal(narrow):
    common.print_table(pd.DataFrame([{"a": None, "b": "[red]x[/red]"}]))
    text = narrow.export_text()
    assert "[red]x[/red]" in text and "None" not in text and "nan" not in text
