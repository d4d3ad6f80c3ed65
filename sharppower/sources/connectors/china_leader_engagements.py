"""Chinese leaders' engagements (China Vitae, 2003-2018) and the AEI China Global Investment
Tracker (2005-2018), actor CHN.

Engagements (`all_engagements_2003-2018.rds`: date, year, country, leader, text; one row
per leader x country x day; Xi Jinping, Hu Jintao, Wen Jiabao, Li Keqiang and foreign
ministers Wang Yi, Yang Jiechi, Li Zhaoxing) are counted per target x year by kind, the
kind read from the event text by the ordered rules of `china_leader_engagements.yaml`:
`visits` (the leader travelled to the country), `meetings` (met its officials in China or
at a third-country venue), `other` (calls, messages, credentials, other mentions), and
`engagements` (all). A count is of engagement-days (a three-day visit counts 3). China
Vitae logs every appearance of these leaders, so a country-year without a record is 0:
every country in the file gets every year 2003-2018; 2017-2018 are flagged `fewer_records`
(the scrape holds fewer records for those years).

Investments (`china_investments_AEI_CGIT.csv`: investments and construction contracts of
USD 95 million or more, the 2018 vintage; the extract does not say which is which):
`investment_value` = the year's deals in million current USD, and `investment_stock` = the
cumulative sum of deals from 2005 (the tracker's first year) to the year, without
depreciation or divestment. Every country in the tracker gets every year 2005-2018
(zeros included); 2018 is flagged `partial_year` (the vintage ends mid-2018).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from sharppower.countries import CountryResolver, resolver
from sharppower.errors import InputError
from sharppower.sources import readers
from sharppower.sources.base import Source, SourceFile, Universe
from sharppower.sources.snapshot import Snapshot
from sharppower.yaml_load import safe_load

ENGAGEMENTS = "all_engagements_2003-2018.rds"
INVESTMENTS = "china_investments_AEI_CGIT.csv"
RULES = Path(__file__).with_name("china_leader_engagements.yaml")
KINDS = {"visit": "visits", "meeting": "meetings", "other": "other"}
FEWER = "fewer_records: the China Vitae scrape holds fewer records for 2017-2018"
PARTIAL = "partial_year: the 2018 vintage of the tracker ends during 2018"
FEWER_FROM, INVEST_FIRST = 2017, 2005


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: re.Pattern
    place_is_target: bool


@lru_cache(maxsize=1)
def rules() -> tuple[list[Rule], dict[str, str]]:
    """The ordered kind rules and the scrape's own country names (name -> ISO3)."""
    data = safe_load(RULES.read_text("utf-8"))
    out = [Rule(r["kind"], re.compile(r["pattern"]), bool(r.get("place_is_target")))
           for r in data["rules"]]
    unknown = {r.kind for r in out} - set(KINDS)
    if unknown:
        raise InputError(RULES.name, f"unknown kind(s) {sorted(unknown)}", field="rules")
    return out, data.get("country_names") or {}


def kind_of(text: str, target: str, res: CountryResolver) -> str:
    """The kind of one event (first matching rule)."""
    for rule in rules()[0]:
        m = rule.pattern.search(text)
        if m and (not rule.place_is_target or res.resolve(m.group("place").strip()) == target):
            return rule.kind
    return "other"


def _read_rds(path, file: str, required: list[str]) -> pd.DataFrame:
    import pyreadr

    try:
        df = next(iter(pyreadr.read_r(str(path)).values()))
    except Exception as exc:  # pyreadr's own errors for a cut-off or foreign file
        raise InputError(file, f"cannot read the R data file ({exc}); is it cut off?") from exc
    readers._require(list(df.columns), required, file)
    return df.reset_index(drop=True).assign(_row=lambda d: range(1, len(d) + 1))


def _resolve(df: pd.DataFrame, column: str, file: str, res: CountryResolver):
    local = rules()[1]
    names = df[column].map(lambda n: local.get(n, n))
    return res.resolve_report(names, file, df["_row"].tolist())


def engagements(snapshot: Snapshot, res: CountryResolver) -> tuple[pd.DataFrame, list[str]]:
    """Events with target, year and kind."""
    df = _read_rds(snapshot.path(ENGAGEMENTS), ENGAGEMENTS, ["date", "year", "country", "text"])
    df = readers.integers(df.astype({"year": str}), ["year"], ENGAGEMENTS)
    df["target"], warnings = _resolve(df, "country", ENGAGEMENTS, res)
    df = df[df["target"].notna() & (df["target"] != "CHN")].copy()
    df["kind"] = [kind_of(str(t), c, res) for t, c in zip(df["text"], df["target"])]
    return df, warnings


def _grid(df: pd.DataFrame, years: range) -> pd.MultiIndex:
    return pd.MultiIndex.from_product([sorted(df["target"].unique()), years],
                                      names=["target", "year"])


def engagement_counts(events: pd.DataFrame) -> pd.DataFrame:
    years = range(int(events["year"].min()), int(events["year"].max()) + 1)
    counts = (events.pivot_table(index=["target", "year"], columns="kind", values="_row",
                                 aggfunc="size", fill_value=0)
              .reindex(columns=list(KINDS), fill_value=0).rename(columns=KINDS)
              .reindex(_grid(events, years), fill_value=0).astype(float))
    counts["engagements"] = counts[list(KINDS.values())].sum(axis=1)
    refs = events.groupby(["target", "year"])["_row"].agg(readers.row_ranges)
    out = counts.reset_index()
    out["source_file"] = ENGAGEMENTS
    out["source_row"] = [readers.shorten(f"rows {refs[k]}") if k in refs.index
                         else f"no engagement recorded in {k[1]}" for k in zip(out["target"], out["year"])]
    out["flags"] = out["year"].map(lambda y: FEWER if y >= FEWER_FROM else None)
    return out


def investments(snapshot: Snapshot, res: CountryResolver) -> tuple[pd.DataFrame, list[str]]:
    """investment_value and investment_stock per target x year (million current USD)."""
    df = readers.read_csv(snapshot.path(INVESTMENTS), INVESTMENTS, encoding="utf-8-sig",
                          required=["Year", "Quantity in Millions", "Country"])
    df = readers.integers(df, ["Year"], INVESTMENTS)
    df = readers.amounts(df, ["Quantity in Millions"], INVESTMENTS)
    df["target"], warnings = _resolve(df, "Country", INVESTMENTS, res)
    df = df[df["target"].notna() & (df["target"] != "CHN")].rename(columns={"Year": "year"})
    years = range(INVEST_FIRST, int(df["year"].max()) + 1)
    value = (df.groupby(["target", "year"])["Quantity in Millions"].sum()
             .reindex(_grid(df, years), fill_value=0.0))
    out = value.rename("investment_value").reset_index()
    out["investment_stock"] = out.groupby("target")["investment_value"].cumsum()
    refs = df.groupby(["target", "year"])["_row"].agg(readers.row_ranges)
    out["source_row.investment_value"] = [readers.shorten(f"rows {refs[k]}") if k in refs.index
                                          else f"no deal in {k[1]}" for k in zip(out["target"], out["year"])]
    out["source_row.investment_stock"] = [f"deals {INVEST_FIRST}-{y}" for y in out["year"]]
    last = int(df["year"].max())
    out["flags.investment_value"] = out["year"].map(lambda y: PARTIAL if y == last else None)
    out["flags.investment_stock"] = out["flags.investment_value"]
    out["source_file.investment_value"] = out["source_file.investment_stock"] = INVESTMENTS
    return out, warnings


def parse(snapshot: Snapshot, res: CountryResolver | None = None) -> pd.DataFrame:
    """One row per target x year: actor CHN, engagement counts by kind, investment value and stock."""
    res = res or resolver()
    events, warnings = engagements(snapshot, res)
    invest, more = investments(snapshot, res)
    df = engagement_counts(events).merge(invest, on=["target", "year"], how="outer")
    df["source_file"] = df["source_file"].fillna(INVESTMENTS)
    df["source_row"] = df["source_row"].fillna(df["source_row.investment_value"])
    df["actor"] = "CHN"
    return readers.finish(df.sort_values(["target", "year"]), warnings + more)


SOURCE = Source(
    name="china-leader-engagements",
    universe=Universe(years=(2003, 2018), note="every foreign visit and meeting of China's top leaders 2003-2018 (investments from 2005: zeros only from the first year observed)"),
    actors=("CHN",),
    title="Chinese leaders' foreign engagements (China Vitae, 2003-2018) and the China Global "
    "Investment Tracker (2005-2018)",
    publisher="Carnegie Endowment for International Peace (China Vitae); American Enterprise "
    "Institute and Heritage Foundation (CGIT)",
    homepage="https://github.com/gbwalker/chinese-diplomacy-and-financing",
    licence="no licence stated: China Vitae content is Carnegie's (research use with "
    "attribution); CGIT free download with attribution",
    redistribute=('observations',),
    citation="China Vitae VIP appearance logs (Carnegie Endowment), scraped by G. B. Walker, "
    "github.com/gbwalker/chinese-diplomacy-and-financing. American Enterprise Institute and "
    "Heritage Foundation, China Global Investment Tracker (2018 vintage), "
    "https://www.aei.org/china-global-investment-tracker/.",
    files=(
        SourceFile(ENGAGEMENTS, "https://raw.githubusercontent.com/gbwalker/chinese-diplomacy-"
                   "and-financing/7b8fd3f6/data/all_engagements_2003-2018.rds",
                   "china_leader_engagements/all_engagements_2003-2018.rds", format="rds",
                   checked="GitHub raw URL at a pinned commit; not fetched from here (no network)"),
        SourceFile(INVESTMENTS, "https://raw.githubusercontent.com/gbwalker/chinese-diplomacy-"
                   "and-financing/7b8fd3f6/data/china_investments_AEI_CGIT.csv",
                   "china_leader_engagements/china_investments_AEI_CGIT.csv", format="csv",
                   checked="GitHub raw URL at a pinned commit; not fetched from here (no network)"),
    ),
    parse=parse,
    coverage="engagements: 178 countries, 2003-2018; investments: 150 countries, 2005-2018",
    notes="Engagement kinds from the event text (rules in YAML); stock = cumulative deals since 2005.",
)
