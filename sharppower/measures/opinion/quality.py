"""Data-quality checks on the estimates: they flag, they never fix.

Every check takes the current estimates (one row per actor x public x year, the columns of
`schema.ESTIMATE_COLUMNS`) and returns findings: check, actor, public (None = every public
of that actor and year), year, detail. `CHECKS` registers them by name; `run_checks` runs
them all and `flag_lists` turns findings into each cell's flags: the check's name plus
"suspect", the marker that keeps a cell out of the index, the medians and the trends by
default. Self-ratings get "self-rating" (not suspect: they are left out of cross-national
figures by the functions that compute them).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from sharppower.measures.opinion.schema import SELF_RATING, SHARES, SUSPECT

FINDING_COLUMNS = ["check", "actor", "public", "year", "detail"]

# Lock-step thresholds (correlations across the publics both waves share).
LOCKSTEP = {
    "measure": "favorable",
    "min_publics": 8,     # publics in common for a correlation to count
    "own_max": 0.5,       # the wave breaks from the actor's own neighbouring waves ...
    "other_min": 0.9,     # ... and tracks another actor's figures in the same wave ...
    "margin": 0.3,        # ... much more closely than its own neighbours
}
# Tolerance of the percentage checks, in points (estimates or published rounded toplines).
PERCENT_TOLERANCE = 0.5


def _findings(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def _matrix(est: pd.DataFrame, measure: str) -> pd.DataFrame:
    """(actor, year) x public table of one measure, self-ratings left out."""
    cross = est[~est["self_rating"].astype(bool)]
    return cross.pivot_table(index=["actor", "year"], columns="public", values=measure)


def _corr(a: pd.Series, b: pd.Series, min_n: int) -> tuple[float, int]:
    both = a.notna() & b.notna()
    n = int(both.sum())
    if n < min_n or a[both].std() == 0 or b[both].std() == 0:
        return np.nan, n
    return float(np.corrcoef(a[both].to_numpy(float), b[both].to_numpy(float))[0, 1]), n


def _neighbours(years: list[int], year: int) -> list[int]:
    i = years.index(year)
    return [years[j] for j in (i - 1, i + 1) if 0 <= j < len(years)]


def lockstep(est: pd.DataFrame, params: dict | None = None) -> pd.DataFrame:
    """A wave where one actor's figures across publics track another actor's figures in the
    same wave (r >= other_min) and break from the actor's own neighbouring waves
    (best r <= own_max, and at least `margin` below the cross-actor r)."""
    p = {**LOCKSTEP, **(params or {})}
    table = _matrix(est, p["measure"])
    waves = {a: sorted(y for (b, y) in table.index if b == a) for a in table.index.levels[0]}
    rows = []
    for actor, year in table.index:
        own = [_corr(table.loc[(actor, year)], table.loc[(actor, y)], p["min_publics"])
               for y in _neighbours(waves[actor], year)]
        own_r = max((r for r, _ in own if not np.isnan(r)), default=np.nan)
        if np.isnan(own_r) or own_r > p["own_max"]:
            continue
        others = [(*_corr(table.loc[(actor, year)], table.loc[(other, year)], p["min_publics"]),
                   other) for other in waves if other != actor and (other, year) in table.index]
        r, n, other = max(others, key=lambda o: -1 if np.isnan(o[0]) else o[0],
                          default=(np.nan, 0, None))
        if r >= p["other_min"] and r - own_r >= p["margin"]:
            rows.append({"check": "lockstep", "actor": actor, "public": None, "year": year,
                         "detail": f"{actor} {year}: {p['measure']} across {n} publics "
                         f"correlates {r:.2f} with {other} in the same wave but at most "
                         f"{own_r:.2f} with {actor}'s own neighbouring waves"})
    return _findings(rows)


def percentages(est: pd.DataFrame) -> pd.DataFrame:
    """Impossible (outside 0-100) or inconsistent (shares not adding up) percentages."""
    tol = PERCENT_TOLERANCE
    shares = est[list(SHARES)]
    impossible = ((shares < -tol) | (shares > 100 + tol)).any(axis=1)
    total = est["favorable"] + est["unfavorable"] + est["dk"]
    inconsistent = (((total - 100).abs() > tol)
                    | (est["very_unfavorable"] > est["unfavorable"] + tol)
                    | (est["very_favorable"] > est["favorable"] + tol)
                    | ((est["favorable"] - est["unfavorable"] - est["net"]).abs() > tol))
    rows = []
    for kind, mask in (("impossible-percent", impossible), ("inconsistent-percent", inconsistent)):
        for r in est[mask.fillna(False)].itertuples(index=False):
            rows.append({"check": kind, "actor": r.actor, "public": r.public, "year": r.year,
                         "detail": f"favorable {r.favorable:.1f}, unfavorable {r.unfavorable:.1f}, "
                         f"dk {r.dk:.1f} (sum {r.favorable + r.unfavorable + r.dk:.1f})"})
    return _findings(rows)


def duplicate_publics(est: pd.DataFrame) -> pd.DataFrame:
    """A public published under two codes in one file (PSE and PLS): the cells under the
    code that is not the public's ISO3."""
    origin = est["origin"] if "origin" in est else pd.Series("", index=est.index)
    codes = est.assign(origin=origin, code=est["public_code"].astype(str).str.split("+"))
    codes = codes.explode("code")
    used = codes.groupby(["origin", "public"])["code"].unique()
    rows = []
    for (file, public), published in used.items():
        if len(published) < 2:
            continue
        others = codes[(codes["origin"] == file) & (codes["public"] == public)
                       & (codes["code"] != public)]
        for r in others.drop_duplicates(["actor", "year", "code"]).itertuples(index=False):
            rows.append({"check": "duplicate-public", "actor": r.actor, "public": public,
                         "year": r.year, "detail": f"{public} {r.year} was published as "
                         f"{r.code}; {file or 'the file'} uses {', '.join(sorted(published))} "
                         f"for {public}"})
    return _findings(rows)


CHECKS: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "lockstep": lockstep,
    "percentages": percentages,
    "duplicate_publics": duplicate_publics,
}


def run_checks(est: pd.DataFrame) -> pd.DataFrame:
    """Findings of every registered check (FINDING_COLUMNS)."""
    if est.empty:
        return _findings([])
    found = [CHECKS[name](est) for name in CHECKS]
    found = [f for f in found if not f.empty]
    return pd.concat(found, ignore_index=True) if found else _findings([])


def cell_key(actor: str, public: object, year: object) -> tuple[str, str | None, int]:
    """(actor, public or None for a whole wave, year) whatever the frame's missing value is."""
    return actor, (None if public is None or pd.isna(public) else str(public)), int(year)


def flag_lists(est: pd.DataFrame, findings: pd.DataFrame) -> list[list[str]]:
    """Flags of each row of `est`: the names of the checks that found it, "suspect" when
    any did, and "self-rating" for a public rating its own country."""
    hits: dict[tuple, set[str]] = {}
    for f in findings.itertuples(index=False):
        hits.setdefault(cell_key(f.actor, f.public, f.year), set()).add(f.check)
    out = []
    for actor, public, year, own in zip(est["actor"], est["public"], est["year"], est["self_rating"]):
        found = hits.get((actor, public, int(year)), set()) | hits.get((actor, None, int(year)), set())
        flags = ([SUSPECT] + sorted(found)) if found else []
        out.append(flags + ([SELF_RATING] if own else []))
    return out
