"""UN General Assembly voting (Voeten, Strezhnev and Bailey): agreement with every declared actor.

An actor-generic source: every actor the codebook declares gets rows. Two published forms
are read:
- the agreement file `IdealpointestimatesAll_Jun2024.csv` (country x UNGA session: the
  share of the session's votes identical to the actor's, for the six states it has a
  column for: `USAgree`, `RUSSAgree`, `ChinaAgree`, `BrazilAgree`, `IndiaAgree`,
  `IsraelAgree`) -> `agreement` for a declared actor with a column (sessions 1-78);
- the roll-call files of the `unvotes` R package (`un_votes`, `un_roll_calls`,
  `un_roll_call_issues`, to January 2020) -> `agreement_<issue>` per issue code
  (hr = human rights, me = Palestinian conflict, nu = nuclear weapons, di = arms control,
  co = colonialism, ec = economic development), computed here the way Voeten's agreement
  index is: the share of roll calls in the session on which both voted and voted
  identically (yes, no and abstain are three distinct votes; absences and non-members are
  not in the file and do not count). This reproduces the published `ChinaAgree` exactly
  for sessions 70-74 (Cambodia 0.8286, 0.8681, 0.8966). `n.<variable>` = the votes compared.
  A declared actor without a column in the agreement file (Iran, Turkey) gets `agreement`
  computed from every roll call of the session by the same rule (to session 74, 2019),
  flagged `from_rollcalls`; its ISO2 code (pycountry) is its code in the roll calls. For
  the actors with a column the rule gives the published score (to 1e-7) in sessions 68,
  70, 73 and 74; in some sessions the roll-call files hold more roll calls than the
  published score compared (session 71: 111 against 73), so the two can differ there. A
  declared actor with no vote in the roll calls either is a warning.

Conventions:
- **Session to year**: session N opens in September of 1945 + N and most of its votes fall
  in October-December of that year, so session N is stored under the year 1945 + N
  (session 78 -> 2023). Roll calls use the same rule (their session, not their date).
- **China** is the PRC only: `ChinaAgree` is empty before session 26 (PRC seated on 25
  October 1971) and the roll calls of code CN start with session 26; the Republic of China
  seat before that (code TW) is not agreement with the PRC and is not used.
- **Russia** before 1992 is the USSR (its UN seat): those observations keep actor RUS and
  are flagged `actor_ussr`; the USSR as a target (Russia's own rows to 1991) is SUN.
A target's agreement with itself is dropped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pycountry

from sharppower.countries import CountryResolver, resolver
from sharppower.errors import InputError
from sharppower.sources import readers
from sharppower.sources.actors import declared, missing_warnings
from sharppower.sources.base import Source, SourceFile
from sharppower.sources.snapshot import Snapshot

AGREE = "IdealpointestimatesAll_Jun2024.csv"
VOTES, CALLS, ISSUES = "un_votes.rda", "un_roll_calls.rda", "un_roll_call_issues.rda"
ROLL_FILES = f"{VOTES}; {CALLS}; {ISSUES}"
# the agreement file's columns (the states it publishes agreement with)
AGREE_COLUMNS = {"USA": "USAgree", "RUS": "RUSSAgree", "BRA": "BrazilAgree",
                 "CHN": "ChinaAgree", "IND": "IndiaAgree", "ISR": "IsraelAgree"}
ISSUE_CODES = ("hr", "me", "nu", "di", "co", "ec")
VOTE_VALUES = ("yes", "no", "abstain")
FIRST_YEAR = 1945  # session N -> year 1945 + N
USSR_LAST_YEAR = 1991
USSR_FLAG = "actor_ussr: agreement with the USSR (Russia's seat before 1992)"
ROLLCALL_FLAG = ("from_rollcalls: computed from every roll call of the session (the agreement "
                 "file has no column for the actor)")


def actor_codes(actors: tuple[str, ...]) -> dict[str, str]:
    """ISO3 -> the ISO2 code that names the actor in the roll calls (CHN -> CN, IRN -> IR)."""
    out = {}
    for a in actors:
        country = pycountry.countries.get(alpha_3=a)
        if country is not None:
            out[a] = country.alpha_2
    return out


def session_year(session: pd.Series) -> pd.Series:
    return (session.astype(int) + FIRST_YEAR).astype(int)


YUGOSLAVIA_COW = 345  # the files name Serbia "Yugoslavia" in every session


def _ussr_targets(target: pd.Series, year: pd.Series,
                  res: CountryResolver | None = None) -> pd.Series:
    """The state of the year: Russia's own rows to 1991 are the USSR (SUN) as a target,
    and "Yugoslavia" is Yugoslavia to 2002, Serbia and Montenegro 2003-2005 and Serbia
    from 2006 (COW 345 by year, country_aliases.yaml)."""
    target = target.where(~((target == "RUS") & (year <= USSR_LAST_YEAR)), "SUN")
    res = res or resolver()
    dated, years = target.tolist(), year.tolist()
    for i in np.flatnonzero((target == "YUG").to_numpy()):
        dated[i] = res.from_cow(YUGOSLAVIA_COW, int(years[i]))
    return pd.Series(dated, index=target.index, dtype=object)


def _finish_pairs(df: pd.DataFrame) -> pd.DataFrame:
    df = df[df["target"] != df["actor"]]
    df = df[~((df["target"] == "SUN") & (df["actor"] == "RUS"))]
    ussr = (df["actor"] == "RUS") & (df["year"] <= USSR_LAST_YEAR)
    return df.assign(flags=ussr.map(lambda u: USSR_FLAG if u else None))


def agreement_file(snapshot: Snapshot, res: CountryResolver,
                   actors: tuple[str, ...] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """One row per target x actor x year: `agreement` from the published scores, for the
    declared actors (`actors` or the codebook's) the file has a column for."""
    columns = {a: AGREE_COLUMNS[a] for a in declared(actors) if a in AGREE_COLUMNS}
    cols = ["ccode", "session", "NVotesAll", "Countryname", *columns.values()]
    df = readers.read_csv(snapshot.path(AGREE), AGREE, required=cols)
    df = readers.integers(df, ["session"], AGREE)
    df = readers.numbers(df, ["NVotesAll", *columns.values()], AGREE)
    df["year"] = session_year(df["session"])
    target, warnings = res.resolve_report(df["Countryname"], AGREE, df["_row"].tolist())
    df["target"] = _ussr_targets(target.set_axis(df.index), df["year"], res)
    df = df[df["target"].notna()]
    readers.check_unique(df, ["target", "year"], AGREE)
    parts = [df.assign(actor=actor, agreement=df[col]) for actor, col in columns.items()]
    out = pd.concat(parts, ignore_index=True) if parts else df.assign(actor=None, agreement=None)
    out = out[out["agreement"].notna()]
    out = out.assign(**{"n.agreement": out["NVotesAll"], "source_file.agreement": AGREE,
                        "source_row.agreement": readers.row_refs(out)})
    return out[["actor", "target", "year", "agreement", "n.agreement",
                "source_file.agreement", "source_row.agreement"]], warnings


def _read_rda(path, file: str, required: list[str]) -> pd.DataFrame:
    import pyreadr

    try:
        objects = pyreadr.read_r(str(path))
    except Exception as exc:  # pyreadr raises its own LibrdataError and ValueError
        raise InputError(file, f"cannot read the R data file ({exc}); is it cut off?") from exc
    name = file.removesuffix(".rda")
    if name not in objects:
        raise InputError(file, f"no object {name!r} (objects: {', '.join(objects)})")
    df = objects[name]
    readers._require(list(df.columns), required, file)
    return df.reset_index(drop=True).assign(_row=lambda d: range(1, len(d) + 1))


def roll_call_votes(snapshot: Snapshot, res: CountryResolver) -> tuple[pd.DataFrame, list[str]]:
    """Votes with year and issue codes: rcid, target, code (ISO2), year, vote, issue, _row."""
    votes, warnings = all_roll_call_votes(snapshot, res)
    return with_issues(votes, snapshot), warnings


def with_issues(votes: pd.DataFrame, snapshot: Snapshot) -> pd.DataFrame:
    """The votes on roll calls with one of the issue codes (one row per vote and issue)."""
    issues = _read_rda(snapshot.path(ISSUES), ISSUES, ["rcid", "short_name"])
    issues = issues[issues["short_name"].isin(ISSUE_CODES)][["rcid", "short_name"]]
    return votes.merge(issues, on="rcid", how="inner")


def all_roll_call_votes(snapshot: Snapshot,
                        res: CountryResolver) -> tuple[pd.DataFrame, list[str]]:
    """Every vote with its year: rcid, target, country_code (ISO2), year, vote, _row."""
    votes = _read_rda(snapshot.path(VOTES), VOTES, ["rcid", "country", "country_code", "vote"])
    calls = _read_rda(snapshot.path(CALLS), CALLS, ["rcid", "session"])
    votes["vote"] = votes["vote"].astype(str)
    bad = ~votes["vote"].isin(VOTE_VALUES)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(VOTES, f"unknown vote {votes['vote'].iloc[i]!r} (expected yes, no, "
                         "abstain)", row=int(votes["_row"].iloc[i]), field="vote")
    calls = calls.dropna(subset=["session"]).assign(year=lambda d: session_year(d["session"]))
    votes = votes.merge(calls[["rcid", "year"]], on="rcid", how="inner")
    target, warnings = res.resolve_report(votes["country"].tolist(), VOTES, votes["_row"].tolist())
    votes["target"] = _ussr_targets(target.set_axis(votes.index), votes["year"], res)
    return votes[votes["target"].notna()], warnings


def _agreement(votes: pd.DataFrame, codes: dict[str, str], keys: list[str]) -> pd.DataFrame:
    """Per target x actor x year (x issue): share of identical votes and votes compared
    (`keys`: the columns one vote is identified by besides the country)."""
    parts, compared = [], votes[["target", "year", *keys, "vote"]]  # the columns read
    for actor, code in codes.items():
        own = votes[votes["country_code"] == code][[*keys, "vote"]]
        both = compared.merge(own.rename(columns={"vote": "actor_vote"}), on=keys)
        both = both.assign(same=(both["vote"] == both["actor_vote"]).astype(float), actor=actor)
        parts.append(both.groupby(["actor", "target", "year", *keys[1:]])["same"]
                     .agg(["mean", "size"]).reset_index())
    columns = ["actor", "target", "year", *keys[1:], "mean", "size"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def issue_agreement(votes: pd.DataFrame, actors: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Per target x actor x year x issue: share of identical votes and votes compared."""
    return _agreement(votes, actor_codes(declared(actors)), ["rcid", "short_name"])


def rollcall_agreement(votes: pd.DataFrame, actors: tuple[str, ...]) -> pd.DataFrame:
    """`agreement` over every roll call of the session, for actors without a column in the
    agreement file: the published rule (identical votes / roll calls both voted on)."""
    agree = _agreement(votes, actor_codes(actors), ["rcid"])
    agree = agree.rename(columns={"mean": "agreement", "size": "n.agreement"})
    agree["source_file.agreement"] = ROLL_FILES
    agree["source_row.agreement"] = [f"session {y - FIRST_YEAR}: {n} roll calls"
                                     for y, n in zip(agree["year"], agree["n.agreement"])]
    agree["flags.agreement"] = ROLLCALL_FLAG
    return agree


def issue_frame(agree: pd.DataFrame) -> pd.DataFrame:
    """Wide: agreement_<issue>, n.agreement_<issue> and provenance per target x actor x year."""
    out = None
    for issue, part in agree.groupby("short_name"):
        var = f"agreement_{issue}"
        part = part.rename(columns={"mean": var, "size": f"n.{var}"}).drop(columns="short_name")
        part[f"source_file.{var}"] = ROLL_FILES
        part[f"source_row.{var}"] = [f"session {y - FIRST_YEAR}, issue {issue}: {n} roll calls"
                                     for y, n in zip(part["year"], part[f"n.{var}"])]
        out = part if out is None else out.merge(part, on=["actor", "target", "year"], how="outer")
    return out


def parse(snapshot: Snapshot, res: CountryResolver | None = None,
          actors: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per target x actor (every declared actor, `actors` or the codebook's) x year:
    agreement (the published file, or the roll calls for an actor without a column) and
    agreement_<issue>."""
    res, actors = res or resolver(), declared(actors)
    scores, warnings = agreement_file(snapshot, res, actors)
    votes, more = all_roll_call_votes(snapshot, res)
    computed = rollcall_agreement(votes, tuple(a for a in actors if a not in AGREE_COLUMNS))
    scores = pd.concat([scores, computed], ignore_index=True)
    df = scores.merge(issue_frame(issue_agreement(with_issues(votes, snapshot), actors)),
                      on=["actor", "target", "year"], how="outer")
    df = _finish_pairs(df)
    if "flags.agreement" in df.columns:  # the roll-call flag beside the USSR flag
        df["flags.agreement"] = [
            "; ".join(f for f in (own, shared) if isinstance(f, str)) or None
            for own, shared in zip(df["flags.agreement"], df["flags"])]
    more += missing_warnings(SOURCE.name, df, actors, "no vote of it in the roll calls")
    df["source_file"] = df["source_file.agreement"].fillna(ROLL_FILES)
    df["source_row"] = df["source_row.agreement"].fillna(df["source_row.agreement_hr"])
    df["source_row"] = df["source_row"].fillna(df["year"].map(
        lambda y: f"session {y - FIRST_YEAR}"))
    return readers.finish(df.sort_values(["actor", "target", "year"]), warnings + more)


AGREE_URL = ("https://raw.githubusercontent.com/tongyu03/DSE3101-Predictive-Modelling-of-Global-"
             "Trade-Flows/98ab7b673cf2c6415f6e86ba2e63eee0b51f07ae/data/" + AGREE)
UNVOTES_CHECKED = ("GitHub raw URL on the master branch (the mirror's copy is commit 7eb70343); "
                   "not fetched from here (no network)")

SOURCE = Source(
    name="unga-voting",
    actors="any",
    title="United Nations General Assembly Voting Data: agreement with every declared actor",
    publisher="Erik Voeten, Anton Strezhnev and Michael Bailey (Harvard Dataverse)",
    homepage="https://dataverse.harvard.edu/dataset.xhtml?persistentId=hdl:1902.1/12379",
    licence="CC0 1.0 (Dataverse record); unvotes R package data CC0, code MIT",
    redistribute=('observations', 'records'),
    citation="Bailey, M. A., Strezhnev, A. and Voeten, E. (2017). Estimating Dynamic State "
    "Preferences from United Nations Voting Data. Journal of Conflict Resolution 61(2), 430-456. "
    "Voeten, E., Strezhnev, A. and Bailey, M. (2009). United Nations General Assembly Voting "
    "Data, hdl:1902.1/12379, Harvard Dataverse. Roll calls: Robinson, D., unvotes R package.",
    files=(
        SourceFile(AGREE, AGREE_URL, "unga_voting/IdealpointestimatesAll_Jun2024.csv", format="csv",
                   derive="an unmodified copy of the Dataverse file of the same name (record "
                   "hdl:1902.1/12379), as the mirror holds it",
                   checked="the file is at this path at that commit (repository index searched); "
                   "Dataverse's own access URL (/api/access/datafile/<id>?format=original) needs "
                   "the file id, which could not be looked up offline"),
        SourceFile(VOTES, "https://raw.githubusercontent.com/dgrtwo/unvotes/master/data/un_votes.rda",
                   "unga_voting/un_votes.rda", format="rda",
                   checked=UNVOTES_CHECKED),
        SourceFile(CALLS,
                   "https://raw.githubusercontent.com/dgrtwo/unvotes/master/data/un_roll_calls.rda",
                   "unga_voting/un_roll_calls.rda", format="rda",
                   checked=UNVOTES_CHECKED),
        SourceFile(ISSUES, "https://raw.githubusercontent.com/dgrtwo/unvotes/master/data/"
                   "un_roll_call_issues.rda", "unga_voting/un_roll_call_issues.rda", format="rda",
                   checked=UNVOTES_CHECKED),
    ),
    parse=parse,
    coverage="agreement: 199 countries, sessions 1-78 (1946-2023; China from 1971); "
    "per-issue agreement from roll calls to session 74 (2019)",
    notes="Session N stored as year 1945 + N; Russia before 1992 is the USSR (flagged).",
)
