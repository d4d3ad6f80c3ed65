"""The checks a regional expert would make of the pressure pillar (issue 22, part 3),
printed for a built store: each check with the rank it found, PASS or FAIL.

    python scripts/expert_checks.py --db sqlite:///store.db [--method shown|composite]

`shown` (default): the pressure pillar users see, `sharppower.index.scores(db,
level="pillar")` node `pressure` (the latent measurement model's since issue 22; the
same checks are tests/test_expert_checks.py); `composite`: the weighted-arithmetic
composite pressure kept beside it for comparison (`latent_scores`, node
`composite:pressure`). Exit status: the number of failed checks (0 = all pass).
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd


def pressure_scores(db, method: str) -> pd.DataFrame:
    """target, actor, year, score, rank of the pressure pillar (rank 1 = most pressure)."""
    if method == "composite":
        from sharppower.index.latent.store import read_scores

        frame = read_scores(db, node="composite:pressure")
    else:
        from sharppower.index import scores

        frame = scores(db, level="pillar")
        frame = frame[frame["node"] == "pressure"]
    return frame[["actor", "target", "year", "score", "rank"]]


def rank(frame: pd.DataFrame, actor: str, year: int, target: str) -> tuple[float | None, int]:
    """The target's rank among the actor's ranked targets in the year, and how many."""
    part = frame[(frame["actor"] == actor) & (frame["year"] == year)]
    row = part[part["target"] == target]
    return (float(row["rank"].iloc[0]) if len(row) else None), len(part)


def checks() -> list[tuple[str, str, int, str, str]]:
    """(label, actor, year, target, rule): rule `top5`, `top10`, `quarter` or `half`."""
    out = [("Taiwan in China's top 5", "CHN", y, "TWN", "top5") for y in range(2016, 2024)]
    out += [("Australia in China's top quarter", "CHN", y, "AUS", "quarter") for y in (2020, 2021)]
    out += [(f"{t} above China's median", "CHN", y, t, "half")
            for t in ("JPN", "PHL", "KOR") for y in range(2016, 2023)]
    out += [("Ukraine in Russia's top 5", "RUS", y, "UKR", "top5") for y in range(2014, 2023)]
    out += [("Georgia in Russia's top 10", "RUS", 2008, "GEO", "top10")]
    out += [(f"{t} above Russia's median", "RUS", y, t, "half")
            for t in ("GEO", "EST", "LVA", "LTU", "MDA") for y in range(2014, 2023)]
    return out


def passes(found: float | None, n: int, rule: str) -> bool:
    if found is None:
        return False
    limit = {"top5": 5, "top10": 10, "quarter": n / 4, "half": n / 2}[rule]
    return found <= limit


def lithuania_rises(frame: pd.DataFrame) -> bool:
    """China's pressure on Lithuania higher in 2021 and 2022 than in 2019."""
    ltu = frame[(frame["actor"] == "CHN") & (frame["target"] == "LTU")].set_index("year")["score"]
    return all(y in ltu.index for y in (2019, 2021, 2022)) and (
        ltu[2021] > ltu[2019] and ltu[2022] > ltu[2019])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="store URL")
    parser.add_argument("--method", choices=["shown", "composite"], default="shown")
    args = parser.parse_args(argv)
    from sharppower.store import Database

    frame = pressure_scores(Database(args.db), args.method)
    failed = 0
    for label, actor, year, target, rule in checks():
        found, n = rank(frame, actor, year, target)
        ok = passes(found, n, rule)
        failed += not ok
        shown = "not ranked" if found is None else f"{found:g} of {n}"
        print(f"{'PASS' if ok else 'FAIL'}  {label}, {year}: {shown}")
    ok = lithuania_rises(frame)
    failed += not ok
    print(f"{'PASS' if ok else 'FAIL'}  Lithuania higher for China in 2021 and 2022 than 2019")
    print(f"{failed} failed of {len(checks()) + 1}")
    return min(failed, 125)


if __name__ == "__main__":
    sys.exit(main())
