"""IMF Direction of Trade Statistics (February 2022 vintage, 1960-2020): trade with every
declared actor (an actor-generic source), combined with Correlates of War trade (China and
Russia) before the years DOTS covers.

Each published per-reporter workbook (`DOTS_<n>.xlsx`) has the sheets `Exports, FOB` and
`Imports, CIF`: the reporter in B4, years in row 7 from column C, one partner per row in
column B, US$ millions; a value may be text with thousands separators and/or ` e` (an IMF
estimate: kept, flagged `imf_estimate`); an empty cell is no data. Per reporter (target)
x actor x year:
- `exports_to_actor`, `imports_from_actor` (the partner row whose IMF name resolves to the
  actor, like reporters' names: `China, P.R.: Mainland`, `United States`, `Iran, Islamic
  Rep. of`; for Russia `Russian Federation` from 1992 and `USSR` before, flagged
  `actor_ussr`), `exports_world`,
  `imports_world` (partner `World`). A flow the target does not report is taken from the
  actor's own workbook (China's imports from the target stand for the target's exports to
  China, and so on), flagged `mirror`. In a year the actor did not report (its workbook
  is IMF estimates: Iran), a flow the target leaves blank while recording the other
  direction is zero, flagged `unrecorded` (`unrecorded_zeros`). A declared
  actor no partner row resolves to is a warning ("imf-dots: no rows for declared actor ...").
- `dots_trade_share` = (exports_to_actor + imports_from_actor) / (exports_world +
  imports_world), `dots_export_share`, `dots_import_share` (missing when a part is missing);
  `trade_world` = exports_world + imports_world, the target's total trade.
- `trade_share`, `export_share`, `import_share`: the DOTS shares, and before the first year
  with a DOTS share for that target and actor, the shares computed from the COW files
  (cow_trade.py, 1870-2014, China and Russia only: the source's own dyadic and national
  files), flagged
  `from_cow` with COW's file in source_file; COW shares above 1 are left out. COW's USSR (SUN) partner is actor RUS here.
Taiwan (`Taiwan Province of China`) is a partner only, with no workbook: its world totals
are the sums of every reporter's flows with it (its exports = their imports from it, CIF,
China's included), flagged `mirror`, kept for the years in which at least half as many
reporters report it as in its best-covered year (`partner_totals`).
Reporters that are area aggregates or customs unions are skipped (imf_dots.yaml); the
duplicate workbook of one reporter (Nicaragua, DOTS_143 and DOTS_144) is used once when
identical, and is an error when the two differ.
"""

from __future__ import annotations

import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from sharppower.countries import CountryResolver, normalise, resolver
from sharppower.errors import InputError
from sharppower.sources import readers
from sharppower.sources.actors import declared, missing_warnings
from sharppower.sources.base import Source, SourceFile
from sharppower.sources.connectors import cow_trade
from sharppower.sources.snapshot import Snapshot
from sharppower.yaml_load import safe_load

N_WORKBOOKS = 235
WORKBOOKS = [f"DOTS_{i}.xlsx" for i in range(1, N_WORKBOOKS + 1)]
SHEETS = {"Exports, FOB": "exports", "Imports, CIF": "imports"}
ROW_COLUMNS = ["partner", "year", "flow", "value", "estimate", "row"]  # a workbook's long rows
# Partners kept besides the declared actors (whose IMF names resolve like reporters':
# "China, P.R.: Mainland" -> CHN, "Russian Federation" -> RUS, "United States" -> USA):
# the world total, the USSR (Russia's partner row before 1992) and the partner-only
# economies.
PARTNERS = {"World": "world", "USSR": "SUN", "Taiwan Province of China": "TWN"}
# Economies in DOTS as partners only (no workbook of their own): their world totals are the
# sums of every reporter's flows with them (imports from them = their exports).
PARTNER_ONLY = {"TWN": "Taiwan Province of China"}
USSR_LAST_YEAR = 1991
RULES = Path(__file__).with_name("imf_dots.yaml")
FLAGS = {"estimate": "imf_estimate: IMF estimate (value ends in ' e')",
         "mirror": "mirror: from the partners' reports (the target reports none: the actor's "
                   "own report, or for a partner-only economy's world totals the sum of every "
                   "reporter's)",
         "ussr": "actor_ussr: trade with the USSR (before 1992)",
         "cow": "from_cow: Correlates of War trade (before DOTS covers the target)",
         "unrecorded": "unrecorded: a flow the target does not record, with the other direction "
                      "recorded, in a year the actor did not report (IMF estimates): zero"}
SHARES = {"trade_share": (["exports_to_actor", "imports_from_actor"], ["exports_world", "imports_world"]),
          "export_share": (["exports_to_actor"], ["exports_world"]),
          "import_share": (["imports_from_actor"], ["imports_world"])}


@lru_cache(maxsize=1)
def _rules() -> tuple[dict[str, str], dict[str, str]]:
    data = safe_load(RULES.read_text("utf-8"))
    skip = {normalise(n): reason for reason, names in data["not_countries"].items() for n in names}
    return {normalise(k): v for k, v in data["names"].items()}, skip


def resolve_reporter(name: str, res: CountryResolver) -> str | None:
    names, _ = _rules()
    return names.get(normalise(name)) or res.resolve(name) or res.resolve(name.split(",")[0])


class Partners:
    """The partner rows a workbook is read for: the declared actors (by the ISO3 their IMF
    name resolves to), the world, the USSR and the partner-only economies; an actor's own
    workbook (its reporter resolves to a declared actor) is read with every partner."""

    def __init__(self, res: CountryResolver, actors: tuple[str, ...]):
        self.res, self.actors = res, actors
        self.keep = {*PARTNERS.values(), *actors}
        self._codes: dict[str, str | None] = {}

    def code(self, name: str) -> str | None:
        if name not in self._codes:
            self._codes[name] = PARTNERS.get(name) or (
                None if _not_country(name) else resolve_reporter(name, self.res))
        return self._codes[name]

    def wanted(self, name: str) -> str | None:
        code = self.code(name)
        return code if code in self.keep else None

    def is_actor(self, name: str) -> bool:
        return self.code(name) in self.actors


def cell_value(value: object, file: str, row: int, field: str) -> tuple[float, bool]:
    """(value, is_estimate): numbers, '1,081.22', '12.5 e'; blank -> NaN."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan, False
    if isinstance(value, (int, float)):
        return float(value), False
    text = str(value).strip()
    estimate = text.endswith(" e") or text == "e"
    text = text.removesuffix("e").strip().replace(",", "")
    if text in readers.MISSING:
        return np.nan, estimate
    try:
        return float(text), estimate
    except ValueError:
        raise InputError(file, f"not a number: {value!r}", row=row, field=field) from None


def _cell(rows: list[list], r: int, c: int) -> object:
    """The cell at spreadsheet row r, column c (1-based) of a grid starting at A1."""
    return rows[r - 1][c - 1] if r <= len(rows) and c <= len(rows[r - 1]) else ""


def _years(rows: list[list], file: str) -> dict[int, int]:
    """Column (1-based) -> year, from row 7, column C on."""
    years = {}
    for col in range(3, len(rows[6]) + 1 if len(rows) > 6 else 3):
        cell = str(_cell(rows, 7, col)).strip()
        if cell:
            try:
                years[col] = int(float(cell))
            except ValueError:
                raise InputError(file, f"not a year: {cell!r}", row=7, field=f"column {col}") from None
    return years


def _sheet_rows(rows: list[list], file: str, flow: str, every: bool,
                partners: Partners) -> list[tuple]:
    """Long rows (partner, year, flow, value, estimate, row) for the partners we need
    (`every`: all partners by their IMF name, for the actors' own workbooks)."""
    years, out = _years(rows, file), []
    for r in range(8, len(rows) + 1):
        name = str(_cell(rows, r, 2)).strip()
        partner = name if every else partners.wanted(name)
        if not partner:
            continue
        cells = rows[r - 1]
        for col, year in years.items():
            cell = cells[col - 1] if col <= len(cells) else ""
            if cell == "":  # no data
                continue
            value, est = cell_value(cell, file, r, str(year))
            if not np.isnan(value):
                out.append((partner, year, flow, value, est, f"{file} row {r}"))
    return out


def _grid(sheet) -> list[list]:
    """The sheet's cells from A1 (python-calamine trims leading empty rows and columns)."""
    top, left = sheet.start or (0, 0)
    return [[""] * (top + 1)] * top + [[""] * left + list(r) for r in sheet.to_python()]


def read_workbook(path: Path, file: str, every: bool = False,
                  partners: Partners | None = None) -> tuple[str, pd.DataFrame]:
    """The reporter's name and its long rows from both sheets (`partners`: the rows kept,
    by default those of the codebook's actors)."""
    reporter, rows = workbook_rows(path, file, every, partners)
    return reporter, pd.DataFrame(rows, columns=ROW_COLUMNS)


def workbook_rows(path: Path, file: str, every: bool = False,
                  partners: Partners | None = None) -> tuple[str, list[tuple]]:
    """`read_workbook` as tuples (ROW_COLUMNS)."""
    from python_calamine import CalamineError, CalamineWorkbook

    partners = partners or Partners(resolver(), declared())
    try:
        book = CalamineWorkbook.from_path(str(path))
        grids = {s: _grid(book.get_sheet_by_name(s)) for s in SHEETS if s in book.sheet_names}
    except (CalamineError, zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InputError(file, f"cannot read the workbook ({exc}); is it cut off?") from exc
    rows, reporter = [], None
    for sheet, flow in SHEETS.items():
        if sheet not in grids:
            raise InputError(file, f"no sheet {sheet!r} (sheets: {', '.join(book.sheet_names)})")
        reporter = str(_cell(grids[sheet], 4, 2)).strip()
        if not reporter or len(grids[sheet]) < 8:
            raise InputError(f"{file}!{sheet}", "no reporter in B4 or no data rows", row=4, field="B")
        every = every or partners.is_actor(reporter)
        rows += _sheet_rows(grids[sheet], f"{file}!{sheet}", flow, every, partners)
    return reporter, rows


def _not_country(name: str) -> str | None:
    return _rules()[1].get(normalise(name))


def read_all(snapshot: Snapshot, res: CountryResolver,
             declared_actors: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """(reporter rows with target, the actors' own rows by partner name, warnings)."""
    kept, actors, warnings, unknown = [], [], [], []
    partners = Partners(res, declared_actors)
    for file in WORKBOOKS:
        reporter, rows = workbook_rows(snapshot.path(file), file, partners=partners)
        if reason := _not_country(reporter):
            warnings.append(f"{file}: reporter {reporter!r} skipped ({reason})")
            continue
        target = resolve_reporter(reporter, res)
        if target is None:
            unknown.append((reporter, file, [4]))
            continue
        if target in declared_actors:  # read with every partner by IMF name: also a reporter
            actors += [(*row, target) for row in rows]
            rows = [(partners.wanted(row[0]), *row[1:]) for row in rows]
        kept += [(*row, target) for row in rows if row[0] in partners.keep]
    if unknown:
        from sharppower.countries import UnresolvedCountries
        raise UnresolvedCountries(unknown)
    df, more = _drop_duplicates(pd.DataFrame(kept, columns=[*ROW_COLUMNS, "target"]))
    return df, pd.DataFrame(actors, columns=[*ROW_COLUMNS, "actor"]), warnings + more


def _drop_duplicates(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """A reporter in two workbooks: identical values are used once; differing ones are an error."""
    keys = ["target", "partner", "year", "flow"]
    dup = df.duplicated(keys, keep=False)
    if not dup.any():
        return df, []
    groups = df[dup].groupby(keys)
    clash = groups["value"].nunique() > 1
    if clash.any():
        key = clash[clash].index[0]
        rows = df[dup].set_index(keys).loc[key, "row"].tolist()
        raise InputError(rows[0].split("!")[0], f"two workbooks give {key[0]} different {key[3]} "
                         f"for {key[1]} in {key[2]} ({'; '.join(rows)})", field=str(key[2]))
    files = sorted({r.split("!")[0] for r in df.loc[dup, "row"]})
    return (df.drop_duplicates(keys, keep="first"),
            [f"imf-dots: identical workbooks {', '.join(files)} used once ({int(dup.sum()) // 2} values)"])


def _actor_rows(df: pd.DataFrame, actor: str) -> pd.DataFrame:
    """The target's rows with the actor as partner (the USSR for Russia before 1992)."""
    if actor == "RUS":
        keep = ((df["partner"] == "RUS") & (df["year"] > USSR_LAST_YEAR)) | (
            (df["partner"] == "SUN") & (df["year"] <= USSR_LAST_YEAR))
    else:
        keep = df["partner"] == actor
    return df[keep & (df["target"] != actor)].assign(mirror=False)


def partner_totals(df: pd.DataFrame) -> pd.DataFrame:
    """World totals of the partner-only economies (Taiwan) from every reporter's rows:
    its exports = the sum of the reporters' imports from it, and the other way round; a
    year counts when at least half of the reporters of its best-covered year report it.
    Rows as the reporters' own `world` rows, flagged mirror (the reporters' flows with
    the partner-only economy are then dropped)."""
    out = []
    for code, name in PARTNER_ONLY.items():
        mine = df[df["partner"] == code]
        for flow, theirs in (("exports", "imports"), ("imports", "exports")):
            part = mine[mine["flow"] == theirs]
            sums = part.groupby("year").agg(value=("value", "sum"), n=("target", "nunique"),
                                            estimate=("estimate", "any"))
            sums = sums[sums["n"] >= sums["n"].max() / 2] if len(sums) else sums
            for year, row in sums.iterrows():
                out.append({"partner": "world", "year": int(year), "flow": flow,
                            "value": float(row["value"]), "estimate": bool(row["estimate"]),
                            "row": f"sum of {int(row['n'])} reporters' {theirs} with {name} "
                                   f"(every workbook's {name} row)",
                            "target": code, "mirror": True})
    return pd.DataFrame(out, columns=[*df.columns, "mirror"])


def _mirror_rows(own: pd.DataFrame, res: CountryResolver) -> pd.DataFrame:
    """The actors' reports as the partner's flows: actor exports -> partner imports_from_actor."""
    names = own["partner"].unique()
    own = own[~own["partner"].isin([n for n in names if _not_country(n) is not None])]
    targets = {n: resolve_reporter(n, res) for n in own["partner"].unique()}
    own = own.assign(target=own["partner"].map(targets)).dropna(subset=["target"])
    own = own.assign(flow=own["flow"].map({"exports": "imports", "imports": "exports"}),
                     partner=own["actor"], mirror=True)
    return own[own["target"] != own["actor"]]


def _wide(rows: pd.DataFrame, prefix: dict[str, str]) -> pd.DataFrame:
    """One row per target x year; per flow its value, estimate/mirror flags and row."""
    out = None
    for flow, name in prefix.items():
        part = rows[rows["flow"] == flow].set_index(["target", "year"])
        part = pd.DataFrame({name: part["value"], f"est.{name}": part["estimate"],
                             f"mir.{name}": part["mirror"], f"row.{name}": part["row"]})
        out = part if out is None else out.join(part, how="outer")
    return out


def estimated_years(own: pd.DataFrame, actor: str) -> set[int]:
    """The years in which the actor's own workbook is mostly IMF estimates (half its
    values or more in a flow end in ' e'): it did not report, the IMF estimated its trade
    from its partners' reports (Iran)."""
    mine = own[own["actor"] == actor]
    if mine.empty:
        return set()
    share = mine.groupby(["year", "flow"])["estimate"].mean()
    return {int(y) for (y, _), v in share.items() if v >= 0.5}


def actor_panel(df: pd.DataFrame, mirror: pd.DataFrame, actor: str,
                own_report: pd.DataFrame | None = None) -> pd.DataFrame:
    """Flows, world totals and DOTS shares of every target with the actor (`df`: the
    reporters' rows with a `mirror` column, True for partner-only totals)."""
    flows = {"exports": "exports_to_actor", "imports": "imports_from_actor"}
    own = _actor_rows(df, actor)
    fill = mirror[mirror["actor"] == actor]
    if own.empty and fill.empty:  # no partner row is the actor: no panel (a warning)
        return pd.DataFrame()
    fill = fill.set_index(["target", "year", "flow"]).drop(
        own.set_index(["target", "year", "flow"]).index, errors="ignore").reset_index()
    wide = _wide(pd.concat([own, fill], ignore_index=True), flows)
    world = _wide(df[df["partner"] == "world"],
                  {"exports": "exports_world", "imports": "imports_world"})
    wide = wide.join(world, how="inner").reset_index()
    wide = unrecorded_zeros(wide[wide["target"] != actor].assign(actor=actor),
                            estimated_years(own_report, actor) if own_report is not None else set())
    for share, (num, den) in SHARES.items():
        wide[f"dots_{share}"] = wide[num].sum(axis=1, min_count=len(num)) / wide[den].sum(
            axis=1, min_count=len(den))
        wide.loc[wide[den].sum(axis=1) <= 0, f"dots_{share}"] = np.nan
    return wide


def unrecorded_zeros(wide: pd.DataFrame, years: set[int]) -> pd.DataFrame:
    """In the `years` in which the actor did not report (its workbook is IMF estimates
    from its partners' reports: `estimated_years`), the target's report is the only
    record of the pair: a flow it leaves blank while recording the other direction is
    zero, flagged `unrecorded` (DOTS leaves a flow it has no record of blank). Iran has
    many such one-way pairs; the actors that report (China, Russia, the United States)
    keep a blank as missing."""
    flows = ("exports_to_actor", "imports_from_actor")
    for col, other in (flows, flows[::-1]):
        gap = wide[col].isna() & wide[other].notna() & wide["year"].isin(years)
        wide[f"unr.{col}"] = gap
        wide.loc[gap, col] = 0.0
    return wide


def _flags(wide: pd.DataFrame, columns: list[str]) -> list[str | None]:
    est = wide[[f"est.{c}" for c in columns]].eq(True).any(axis=1)
    mir = wide[[f"mir.{c}" for c in columns]].eq(True).any(axis=1)
    ussr = (wide["actor"] == "RUS") & (wide["year"] <= USSR_LAST_YEAR)
    unr = wide[[f"unr.{c}" for c in columns if f"unr.{c}" in wide]].eq(True).any(axis=1)
    return ["; ".join([f for f, on in zip(FLAGS.values(), (e, m, u)) if on]
                      + ([FLAGS["unrecorded"]] if z else [])) or None
            for e, m, u, z in zip(est.tolist(), mir.tolist(), ussr.tolist(), unr.tolist())]


def _refs(wide: pd.DataFrame, columns: list[str]) -> tuple[list[str], list[str]]:
    """source_row (every cell used) and source_file (the workbooks) per row."""
    rows, files = [], []
    for cells in zip(*(wide[f"row.{c}"].tolist() for c in columns)):
        used = [c for c in cells if isinstance(c, str)]
        rows.append(readers.shorten("; ".join(used)) if used else None)
        files.append(", ".join(sorted({c.split("!")[0] for c in used})) or None)
    return rows, files


def add_provenance(wide: pd.DataFrame) -> pd.DataFrame:
    """source_file, source_row and flags for every variable."""
    columns = {f"dots_{share}": num + den for share, (num, den) in SHARES.items()}
    columns |= {share: num + den for share, (num, den) in SHARES.items()}
    columns |= {c: [c] for c in ("exports_to_actor", "imports_from_actor", "exports_world",
                                 "imports_world")}
    new, done = {}, {}
    for var, cols in columns.items():
        key = tuple(cols)  # dots_trade_share and trade_share read the same cells
        if key not in done:
            done[key] = (_flags(wide, cols), *_refs(wide, cols))
        new[f"flags.{var}"], new[f"source_row.{var}"], new[f"source_file.{var}"] = done[key]
    return pd.concat([wide, pd.DataFrame(new, index=wide.index)], axis=1)


def cow_shares(snapshot: Snapshot, res: CountryResolver) -> tuple[pd.DataFrame, list[str]]:
    """Shares from the COW files (its USSR partner as actor RUS), with their provenance."""
    cow = cow_trade.parse(snapshot, res)
    cow = cow.assign(actor=cow["actor"].replace({"SUN": "RUS"}))
    cow = cow[(cow["target"] != cow["actor"]) & ~((cow["target"] == "SUN") & (cow["actor"] == "RUS"))]
    total = cow["imports"] + cow["exports"]
    out = pd.DataFrame({"target": cow["target"], "actor": cow["actor"], "year": cow["year"]})
    out["trade_share"] = ((cow["imports_from_partner"] + cow["exports_to_partner"]) / total).where(total > 0)
    out["export_share"] = cow["share_exports_to_partner"]
    out["import_share"] = cow["share_imports_from_partner"]
    above = out[list(SHARES)] > 1
    warnings = [(f"imf-dots: {int(above.to_numpy().sum())} COW shares above 1 (dyadic flow above the "
                "national total) left out of the combined shares")] if above.any().any() else []
    out[list(SHARES)] = out[list(SHARES)].mask(above)
    ussr = (out["actor"] == "RUS") & (out["year"] <= USSR_LAST_YEAR)
    out["flags"] = ussr.map(lambda u: f"{FLAGS['cow']}; {FLAGS['ussr']}" if u else FLAGS["cow"])
    out["file"] = cow["source_file.share_imports_from_partner"]
    out["row"] = cow["source_row.share_imports_from_partner"]
    return out, list(cow.attrs.get("warnings", [])) + warnings


def combine(dots: pd.DataFrame, cow: pd.DataFrame) -> pd.DataFrame:
    """DOTS shares, and COW's before the first year with a DOTS share for the pair."""
    cow = cow.rename(columns={**{s: f"{s}.cow" for s in SHARES}, "flags": "flags.cow",
                              "file": "file.cow", "row": "row.cow"})
    df = dots.merge(cow, on=["target", "actor", "year"], how="outer")
    for share in SHARES:
        first = df[df[f"dots_{share}"].notna()].groupby(["target", "actor"])["year"].min()
        start = pd.Series(list(zip(df["target"].tolist(), df["actor"].tolist()))).map(first).to_numpy()
        use_cow = (df[f"{share}.cow"].notna() & ~(df["year"].to_numpy() >= start)).to_numpy()
        df[share] = np.where(use_cow, df[f"{share}.cow"], df[f"dots_{share}"])
        for name, cow_col in (("flags", "flags.cow"), ("source_file", "file.cow"),
                              ("source_row", "row.cow")):
            df[f"{name}.{share}"] = np.where(use_cow, df[cow_col], df[f"{name}.{share}"])
    return df


def _world_trade(df: pd.DataFrame) -> pd.DataFrame:
    """`trade_world` = exports_world + imports_world (the target's total trade, US$ millions:
    the index scales finance and investment stocks by it); provenance of both cells."""
    df["trade_world"] = df["exports_world"] + df["imports_world"]
    for name in ("source_file", "source_row", "flags"):
        parts = [df[f"{name}.exports_world"], df[f"{name}.imports_world"]]
        df[f"{name}.trade_world"] = [
            "; ".join(dict.fromkeys(str(p) for p in pair if isinstance(p, str))) or None
            for pair in zip(*(p.tolist() for p in parts))]
    return df


def parse(snapshot: Snapshot, res: CountryResolver | None = None,
          actors: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per target x actor x year (every declared actor, `actors` or the codebook's):
    DOTS flows and shares, and combined shares; a declared actor with no DOTS partner row
    is a warning."""
    res, actors = res or resolver(), declared(actors)
    rows, own, warnings = read_all(snapshot, res, actors)
    totals = partner_totals(rows)
    rows = pd.concat([rows[~rows["partner"].isin(set(PARTNER_ONLY))].assign(mirror=False),
                      totals], ignore_index=True)
    mirror = _mirror_rows(own, res)
    dots = pd.concat([p for p in (actor_panel(rows, mirror, a, own) for a in actors)
                      if not p.empty],
                     ignore_index=True)
    warnings += missing_warnings(SOURCE.name, dots, actors, "no DOTS partner row resolves to it")
    dots = add_provenance(dots)
    above = dots[[f"dots_{s}" for s in SHARES]] > 1
    if above.any().any():
        dots[above.columns] = dots[above.columns].mask(above)
        warnings.append(f"imf-dots: {int(above.to_numpy().sum())} DOTS shares above 1 (a flow "
                        "above the reported world total, mostly mirror figures) left out")
    cow, more = cow_shares(snapshot, res)
    cow = cow[cow["actor"].isin(actors)]
    df = combine(dots, cow)
    df = df[[c for c in df.columns if not c.startswith(("est.", "mir.", "row.", "unr.")) and
             not c.endswith(".cow") and c not in ("file", "row")]]
    df = _world_trade(df)
    df["source_file"] = df["source_file.trade_share"].fillna(df["source_file.exports_world"])
    df["source_row"] = df["source_row.trade_share"].fillna(df["source_row.exports_world"])
    df = df[df["source_file"].notna()]
    return readers.finish(df.sort_values(["actor", "target", "year"]), warnings + more)


def _url(file: str) -> str:
    return ("https://raw.githubusercontent.com/SamLeBlanc/Direction-of-Trade-Map/a0b40afb/data/"
            f"DOTS/{file}")


COW_FILES = tuple(f for f in cow_trade.SOURCE.files)

SOURCE = Source(
    name="imf-dots",
    actors="any",
    title="IMF Direction of Trade Statistics (1960-2020): trade with every declared actor; "
    "Correlates of War before (China, Russia)",
    publisher="International Monetary Fund, Statistics Department (with COW trade v4.0)",
    homepage="https://data.imf.org/?sk=9d6028d4-f14a-464c-a2f2-59b2cd424b85",
    licence="IMF copyright and usage terms (free reuse with attribution); COW terms of use",
    citation="Source: IMF, Direction of Trade Statistics (February 2022), per-reporter reports "
    "as exported from data.imf.org (copy: github.com/SamLeBlanc/Direction-of-Trade-Map). "
    "Before DOTS: Barbieri, K. and Keshk, O. M. G. (2016), Correlates of War Trade v4.0.",
    files=tuple(SourceFile(f, _url(f), f"imf_dots/{f}", format="xlsx",
                           derive="IMF DOTS workbooks (one per reporter) as exported to GitHub",
                           checked="GitHub raw URL at a pinned commit; not fetched from here")
                for f in WORKBOOKS) + COW_FILES,
    parse=parse,
    coverage="about 210 economies, 1960-2020 (COW shares before a reporter's first DOTS year)",
    notes="Shares computed here; gaps filled from the actor's own reports (flagged).",
)
