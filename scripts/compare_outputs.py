"""Export a built store's outputs to CSV and compare two exports (no behaviour change check).

    # export: the index run of SPEC (computed on the store first), opinion estimates,
    # evidence records and every observation, as sorted CSV files
    python scripts/compare_outputs.py export --db sqlite:///store.db --spec spec.yaml OUT/
    python scripts/compare_outputs.py compare BEFORE/ AFTER/

Run `export` with the code of each version (PYTHONPATH) on a store built by that version,
with the same `--spec` file: the index outputs then compare like with like even after the
default spec changes. `compare` prints one line per file (observations: per source; a
source or an indicator only in AFTER is listed as new, not as a difference) and exits 1
on any difference (floats must agree within 1e-9 relative; everything else exactly).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

# file -> (query, sort key); timestamps and surrogate ids are left out (they differ by build)
EXPORTS = {
    "index_scores": (
        ("SELECT s.actor, s.target, s.year, s.level, s.node, s.score, s.rank, s.n_ranked, "
         "s.coverage, s.rank_median, s.rank_low, s.rank_high, s.rank_p05, s.rank_p95 "
         "FROM index_scores s JOIN index_runs r ON r.id = s.run_id WHERE r.spec = :spec"),
        ["actor", "target", "year", "node"]),
    "opinion_estimates": ("SELECT * FROM opinion_estimates", ["actor", "public", "year", "origin"]),
    "evidence_records": ("SELECT * FROM evidence", ["id"]),
    "evidence_actors": ("SELECT * FROM evidence_actors", ["evidence_id", "actor"]),
    "evidence_indicators": ("SELECT * FROM evidence_indicators", ["evidence_id", "indicator"]),
    "observations": ("SELECT * FROM observations",
                     ["source", "indicator", "actor", "target", "year", "source_row"]),
}
DROP = {"id", "created_at", "updated_at", "reviewed_at", "run_id"}
REL_TOL = 1e-9


def export(db_url: str, spec_path: str | None, out: Path) -> None:
    from sharppower.index.build import build_index
    from sharppower.index.spec import load_spec
    from sharppower.store import Database

    db = Database(db_url)
    spec = load_spec(spec_path)
    if spec_path:
        build_index(db, spec)
    out.mkdir(parents=True, exist_ok=True)
    for name, (sql, key) in EXPORTS.items():
        frame = db.read(sql, {"spec": spec.name})
        frame = frame.drop(columns=[c for c in frame.columns if c in DROP and c not in key])
        order = key + [c for c in frame.columns if c not in key]  # a total order
        frame = frame.sort_values(order, na_position="first", kind="stable")
        frame.to_csv(out / f"{name}.csv", index=False, float_format="%.17g")
        print(f"{name}: {len(frame)} rows")


def _differences(a: pd.DataFrame, b: pd.DataFrame) -> list[str]:
    if list(a.columns) != list(b.columns):
        return [f"columns differ: {sorted(set(a.columns) ^ set(b.columns))}"]
    if len(a) != len(b):
        return [f"rows differ: {len(a)} vs {len(b)}"]
    found = []
    for col in a.columns:
        x, y = a[col].reset_index(drop=True), b[col].reset_index(drop=True)
        if pd.api.types.is_float_dtype(x) and pd.api.types.is_float_dtype(y):
            same = np.isclose(x, y, rtol=REL_TOL, atol=0, equal_nan=True)
        else:
            same = ((x.isna() & y.isna()) | (x == y).fillna(False)).to_numpy(dtype=bool)
        if not same.all():
            first = int(np.argmin(same))
            found.append(f"{col}: {int((~same).sum())} rows, first at row {first + 2}: "
                         f"{x[first]!r} vs {y[first]!r}")
    return found


def _report(label: str, a: pd.DataFrame, b: pd.DataFrame) -> bool:
    problems = _differences(a, b)
    print(f"{label}: {len(a)} rows, " + ("identical" if not problems else "DIFFERENT"))
    for p in problems:
        print(f"  {p}")
    return bool(problems)


def _by_source(a: pd.DataFrame, b: pd.DataFrame) -> int:
    """Observations compared per source; a source only in `after` is listed as new."""
    failed = 0
    for source in sorted(set(a["source"]) | set(b["source"])):
        if source not in set(a["source"]):
            print(f"observations[{source}]: new source, {int((b['source'] == source).sum())} rows")
            continue
        part_a = a[a["source"] == source]
        part_b = b[b["source"] == source]
        added = sorted(set(part_b["indicator"]) - set(part_a["indicator"]))
        if added:
            print(f"observations[{source}]: new indicators {', '.join(added)}")
            part_b = part_b[~part_b["indicator"].isin(added)]
        failed += _report(f"observations[{source}]", part_a.reset_index(drop=True),
                          part_b.reset_index(drop=True))
    return failed


def compare(before: Path, after: Path) -> int:
    failed = 0
    for name in EXPORTS:
        a = pd.read_csv(before / f"{name}.csv", keep_default_na=True, low_memory=False)
        b = pd.read_csv(after / f"{name}.csv", keep_default_na=True, low_memory=False)
        failed += _by_source(a, b) if name == "observations" else _report(name, a, b)
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("export")
    ex.add_argument("--db", required=True, help="store URL")
    ex.add_argument("--spec", help="index spec YAML to run and export (default: the stored default run)")
    ex.add_argument("out", type=Path)
    cmp_ = sub.add_parser("compare")
    cmp_.add_argument("before", type=Path)
    cmp_.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "export":
        export(args.db, args.spec, args.out)
    else:
        sys.exit(compare(args.before, args.after))


if __name__ == "__main__":
    main()
