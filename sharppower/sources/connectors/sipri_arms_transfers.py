"""SIPRI Arms Transfers Database: deliveries of major conventional arms from every declared actor.

The published trade register (CSV export of SIPRI's tool: 11 lines of notes, then one row
per deal x delivery year with `TIV delivery values` in millions of SIPRI trend-indicator
values) is summed per recipient x delivery year:
- `tiv_from_actor`: TIV delivered by the actor to the recipient (the actor-generic source:
  every declared actor, the supplier whose name resolves to it: "China", "Russia",
  "United States", "Iran"; a declared actor that supplied nothing is a warning);
- `tiv_total`: TIV delivered by all suppliers to the recipient;
- `share_from_actor`: tiv_from_actor / tiv_total in the year (missing when tiv_total is 0);
- `tiv_from_actor_5yr`, `tiv_total_5yr`, `share_from_actor_5yr`: the same over the delivery
  year and the four before (deliveries are lumpy), flagged `partial_window` when the window
  starts before the register's first year (2000).
SIPRI covers every state, so a recipient-year without deliveries is 0: every recipient
that appears in the register gets every year of its coverage (zeros included); states
never in the register have no row (the codebook declares absence as zero).
Recipients marked `*` (non-state armed groups) or `**` (international organisations) and
"unknown recipient(s)" are skipped with a warning; "Libya GNC" (the Tripoli government SIPRI
lists as a state) counts as Libya.
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from sharppower.countries import CountryResolver, resolver
from sharppower.errors import InputError
from sharppower.sources import readers
from sharppower.sources.actors import declared, missing_warnings
from sharppower.sources.base import Source, SourceFile, Universe
from sharppower.sources.snapshot import Snapshot

FILE = "sipri_trade_register_2000-2030_generated_2025-01-03.csv"
HEADER_START = "SIPRI AT Database ID"
REQUIRED = ["Supplier", "Recipient", "Delivery year", "TIV delivery values"]
WINDOW = 5
NON_STATES = {"unknown recipient(s)": "recipient not known to SIPRI",
              "unknown rebel group*": "non-state armed group"}


def read_register(path, file: str = FILE) -> pd.DataFrame:
    """The CSV after SIPRI's notes, as strings with `_row` = the line in the file."""
    try:
        lines = path.read_text("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(file, f"cannot read the file ({exc}); is it corrupted?") from exc
    start = next((i for i, line in enumerate(lines) if line.startswith(HEADER_START)), None)
    if start is None:
        raise InputError(file, f"no header line starting with {HEADER_START!r}", field=HEADER_START)
    records = list(csv.reader(io.StringIO("\n".join(lines[start:]))))
    header = records[0]
    readers._require(header, REQUIRED, file, row=start + 1)
    for i, rec in enumerate(records[1:], start=start + 2):
        if rec and len(rec) != len(header):
            field = header[len(rec)] if len(rec) < len(header) else None
            raise InputError(file, f"the row has {len(rec)} fields, the header {len(header)} "
                             "(is the file cut off?)", row=i, field=field)
    rows = [(i, rec) for i, rec in enumerate(records[1:], start=start + 2) if rec]
    df = pd.DataFrame([r for _, r in rows], columns=header, dtype=str)
    df["_row"] = [i for i, _ in rows]
    return df


def _skip_reason(name: str) -> str | None:
    if name in NON_STATES:
        return NON_STATES[name]
    if name.endswith("**"):
        return "international organisation (SIPRI's **)"
    if name.endswith("*"):
        return "non-state armed group (SIPRI's *)"
    return None


def _recipients(df: pd.DataFrame, res: CountryResolver) -> tuple[pd.DataFrame, list[str]]:
    reasons = df["Recipient"].map(_skip_reason)
    skipped = df[reasons.notna()]
    warnings = [f"{FILE}: skipped {name!r} ({len(g)} rows, e.g. row {g['_row'].iloc[0]}): "
                f"{reasons[g.index[0]]}" for name, g in skipped.groupby("Recipient")]
    df = df[reasons.isna()].copy()
    target, more = res.resolve_report(df["Recipient"], FILE, df["_row"].tolist())
    df["target"] = target.to_numpy()
    return df[df["target"].notna()], warnings + more


def deliveries(snapshot: Snapshot, res: CountryResolver) -> tuple[pd.DataFrame, list[str]]:
    """Delivery rows: target, supplier, year, tiv, _row."""
    df = read_register(snapshot.path(FILE))
    df = readers.integers(df, ["Delivery year"], FILE)
    df = readers.amounts(df, ["TIV delivery values"], FILE)
    df, warnings = _recipients(df, res)
    df = df.rename(columns={"Delivery year": "year", "TIV delivery values": "tiv"})
    return df[["target", "Supplier", "year", "tiv", "_row"]], warnings


def _panel(rows: pd.DataFrame, actor: str, years: range) -> pd.DataFrame:
    """Annual and 5-year TIV from the actor and in total, every recipient x year."""
    rows = rows.assign(actor_tiv=rows["tiv"].where(rows["Supplier"] == actor, 0.0))
    sums = rows.groupby(["target", "year"])[["actor_tiv", "tiv"]].sum()
    grid = pd.MultiIndex.from_product([sorted(rows["target"].unique()), years],
                                      names=["target", "year"])
    sums = sums.reindex(grid, fill_value=0.0).reset_index()
    by_target = sums.groupby("target")
    for col in ("actor_tiv", "tiv"):
        sums[f"{col}_5yr"] = by_target[col].rolling(WINDOW, 1).sum().droplevel("target")
    return sums


def _shares(df: pd.DataFrame, first: int) -> pd.DataFrame:
    out = pd.DataFrame({"target": df["target"], "year": df["year"]})
    out["tiv_from_actor"], out["tiv_total"] = df["actor_tiv"], df["tiv"]
    out["tiv_from_actor_5yr"], out["tiv_total_5yr"] = df["actor_tiv_5yr"], df["tiv_5yr"]
    # at most 1: a rolling sum's rounding can put the actor's share a hair above it
    out["share_from_actor"] = (df["actor_tiv"] / df["tiv"]).where(df["tiv"] > 0).clip(upper=1.0)
    out["share_from_actor_5yr"] = (df["actor_tiv_5yr"] / df["tiv_5yr"]).where(
        df["tiv_5yr"] > 0).clip(upper=1.0)
    partial = df["year"] - WINDOW + 1 < first
    flag = partial.map(lambda p: f"partial_window: the register starts in {first}" if p else None)
    for var in ("tiv_from_actor_5yr", "tiv_total_5yr", "share_from_actor_5yr"):
        out[f"flags.{var}"] = flag
    return out


def suppliers(rows: pd.DataFrame, res: CountryResolver,
              actors: tuple[str, ...]) -> dict[str, str]:
    """Supplier name -> declared actor, for the suppliers whose name resolves to one."""
    names = [n for n in rows["Supplier"].unique() if _skip_reason(n) is None]
    found = {res.resolve(n): n for n in names}
    return {found[a]: a for a in actors if a in found}  # in declaration order


def parse(snapshot: Snapshot, res: CountryResolver | None = None,
          actors: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per recipient x actor (every declared actor that supplied arms, `actors` or
    the codebook's) x delivery year, zeros included."""
    res, actors = res or resolver(), declared(actors)
    rows, warnings = deliveries(snapshot, res)
    years = range(int(rows["year"].min()), int(rows["year"].max()) + 1)
    parts = []
    for supplier, actor in suppliers(rows, res, actors).items():
        part = _shares(_panel(rows, supplier, years), years.start).assign(actor=actor)
        parts.append(part[part["target"] != actor])
    df = pd.concat(parts, ignore_index=True)
    warnings += missing_warnings(SOURCE.name, df, actors, "no supplier of the register is it")
    refs = rows.groupby(["target", "year"])["_row"].agg(readers.row_ranges).to_dict()
    df["source_file"] = FILE
    df["source_row"] = [readers.shorten(f"rows {refs[(t, y)]}") if (t, y) in refs
                        else f"no delivery to {t} in {y}" for t, y in zip(df["target"], df["year"])]
    return readers.finish(df, warnings)


SOURCE = Source(
    name="sipri-arms-transfers",
    universe=Universe(years=(2000, 2023), note="the register lists every delivery of major arms to every state: a state with none from a supplier in a year received none"),
    actors="any",
    title="SIPRI Arms Transfers Database: trade register, deliveries 2000-2023",
    publisher="Stockholm International Peace Research Institute (SIPRI)",
    homepage="https://www.sipri.org/databases/armstransfers",
    licence="(c) SIPRI; free for research with citation",
    redistribute=('observations',),
    citation="SIPRI Arms Transfers Database, data generated 3 January 2025, "
    "https://www.sipri.org/databases/armstransfers.",
    files=(SourceFile(
        FILE, "https://raw.githubusercontent.com/lucacasu/Global-Arms-Trade/"
        "e1b012d3/russia_trade_decline/trade_2023.csv",
        "sipri_arms_transfers/sipri_trade_register_2000-2030_generated_2025-01-03.csv",
        format="csv", derive="SIPRI's trade-register export as published, renamed",
        checked="GitHub raw URL at the commit the mirror's SOURCE.md records; not fetched from here (no network)"),),
    parse=parse,
    coverage="deliveries 2000-2023 to about 180 states by every supplier; China supplied 81 "
    "recipients, Russia 97",
    notes="TIV is a volume index, not money; no delivery is 0 for every state in the register.",
)
