"""UNGA voting connector on the mirror: Voeten's agreement scores, the session-to-year
convention, China from 1971, the USSR flag, per-issue agreement from roll calls."""

from __future__ import annotations

import pandas as pd
import pyreadr
import pytest
from _new_sources import FIXTURES, fixture_snapshot, mirror_snapshot

from sharppower.countries import UnresolvedCountries, resolver
from sharppower.errors import InputError
from sharppower.sources.connectors import unga_voting as uv


@pytest.fixture(scope="module")
def frame(tmp_path_factory):
    return uv.parse(mirror_snapshot(tmp_path_factory, "unga-voting"), resolver())


def value(df, target, actor, year, var="agreement"):
    row = df[(df["target"] == target) & (df["actor"] == actor) & (df["year"] == year)]
    assert len(row) == 1, (target, actor, year)
    return row[var].iloc[0]


def test_published_agreement_scores_stored_under_1945_plus_session(frame):
    assert value(frame, "CHN", "RUS", 2023) == pytest.approx(0.68, abs=0.005)   # session 78
    assert value(frame, "USA", "CHN", 2023) == pytest.approx(0.165, abs=0.005)
    assert value(frame, "KHM", "CHN", 2022) == pytest.approx(0.77, abs=0.005)   # session 77
    assert value(frame, "NIC", "RUS", 2022) == pytest.approx(0.76, abs=0.005)
    assert frame["year"].max() == 2023 and frame["year"].min() == 1946
    assert frame["agreement"].dropna().between(0, 1).all()


def test_china_is_the_prc_from_1971_and_russia_before_1992_is_the_ussr(frame):
    china = frame[(frame["actor"] == "CHN")]
    assert china["year"].min() == 1971
    rus = frame[frame["actor"] == "RUS"]
    assert rus.loc[rus["year"] <= 1991, "flags"].str.startswith("actor_ussr").all()
    assert rus.loc[rus["year"] >= 1992, "flags"].isna().all()
    assert not ((frame["target"] == frame["actor"]) | ((frame["target"] == "SUN") & (frame["actor"] == "RUS"))).any()
    assert not ((rus["target"] == "RUS") & (rus["year"] <= 1991)).any()
    assert 0 < value(china, "SUN", "CHN", 1980) < 1  # the USSR as a target of China


def test_issue_agreement_from_roll_calls_matches_the_published_score_rule(frame):
    # the roll-call rule reproduces ChinaAgree where all the session's votes carry issue codes;
    # here: human-rights agreement exists to session 74 (2019) with its number of roll calls
    hr = frame[frame["agreement_hr"].notna()]
    assert hr["year"].max() == 2019 and (hr["n.agreement_hr"] >= 1).all()
    assert value(frame, "PRK", "CHN", 2019, "agreement_hr") > value(frame, "SWE", "CHN", 2019, "agreement_hr")
    assert hr["source_file.agreement_hr"].iloc[0] == uv.ROLL_FILES


def _rda(path, name, df):
    pyreadr.write_rdata(str(path), df, df_name=name)


def test_issue_agreement_counts_identical_votes_and_ignores_absences(tmp_path):
    votes = pd.DataFrame({
        "rcid": [1, 1, 2, 2, 3, 3, 4],
        "country": ["China", "Cambodia", "China", "Cambodia", "China", "Cambodia", "China"],
        "country_code": ["CN", "KH", "CN", "KH", "CN", "KH", "CN"],
        "vote": ["yes", "yes", "abstain", "abstain", "no", "yes", "yes"]})  # rcid 4: KH absent
    calls = pd.DataFrame({"rcid": [1, 2, 3, 4], "session": [74.0] * 4})
    issues = pd.DataFrame({"rcid": [1, 2, 3, 4], "short_name": ["hr"] * 4})
    for name, df in (("un_votes", votes), ("un_roll_calls", calls), ("un_roll_call_issues", issues)):
        _rda(tmp_path / f"{name}.rda", name, df)
    snap = fixture_snapshot(tmp_path, {})
    got, _ = uv.roll_call_votes(snap, resolver())
    agree = uv.issue_agreement(got)
    khm = agree[(agree["target"] == "KHM") & (agree["actor"] == "CHN")].iloc[0]
    assert (khm["year"], khm["mean"], khm["size"]) == (2019, pytest.approx(2 / 3), 3)


def test_bad_score_names_file_row_and_field(tmp_path):
    snap = fixture_snapshot(tmp_path, {uv.AGREE: FIXTURES / "unga_voting" / uv.AGREE})
    with pytest.raises(InputError) as err:
        uv.agreement_file(snap, resolver())
    assert (err.value.file, err.value.row, err.value.field) == (uv.AGREE, 3, "ChinaAgree")


def test_unknown_country_is_listed_with_file_and_row(tmp_path):
    snap = fixture_snapshot(tmp_path, {uv.AGREE: FIXTURES / "unga_voting" / "unknown_country.csv"})
    with pytest.raises(UnresolvedCountries) as err:
        uv.agreement_file(snap, resolver())
    assert err.value.items == [("Atlantis", uv.AGREE, [3])]


def test_serbia_named_yugoslavia_is_the_state_of_the_year(frame):
    """The files call COW 345 "Yugoslavia" in every session: it is Yugoslavia to 2002,
    Serbia and Montenegro 2003-2005 and Serbia from 2006 (a defunct state is never scored
    in a recent year)."""
    states = frame[frame["target"].isin(["YUG", "SCG", "SRB"])].groupby("target")["year"]
    assert states.max()["YUG"] == 2002
    assert (states.min()["SCG"], states.max()["SCG"]) == (2003, 2005)
    assert states.min()["SRB"] == 2006 and states.max()["SRB"] == 2023
    assert 0 < value(frame, "SRB", "CHN", 2021) < 1
    assert frame.groupby(["target", "actor", "year"]).size().max() == 1


def test_an_actor_without_a_column_gets_agreement_from_the_roll_calls(frame, tmp_path_factory):
    """Iran has no column in the agreement file: its agreement is computed from every roll
    call of the session by the published rule (flagged from_rollcalls); checked by hand
    against the roll calls of session 74 (Iraq, Syria and Israel with Iran), and the rule
    gives the United States' published score in that session."""
    snapshot = mirror_snapshot(tmp_path_factory, "unga-voting")
    votes, _ = uv.all_roll_call_votes(snapshot, resolver())
    s74 = votes[votes["year"] == 2019]
    iran = dict(zip(s74.loc[s74["country_code"] == "IR", "rcid"], s74.loc[s74["country_code"] == "IR", "vote"]))
    for target, code in (("IRQ", "IQ"), ("SYR", "SY"), ("ISR", "IL")):
        theirs = s74[s74["country_code"] == code]
        both = [(v, iran[r]) for r, v in zip(theirs["rcid"], theirs["vote"]) if r in iran]
        by_hand = sum(a == b for a, b in both) / len(both)
        assert value(frame, target, "IRN", 2019) == pytest.approx(by_hand)
        assert value(frame, target, "IRN", 2019, "n.agreement") == len(both)
        assert value(frame, target, "IRN", 2019, "flags.agreement").startswith("from_rollcalls")
    assert value(frame, "SYR", "IRN", 2019) > 0.9 and value(frame, "ISR", "IRN", 2019) < 0.2
    assert frame.loc[frame["actor"] == "IRN", "year"].max() == 2019  # the roll calls end in 2019
    usa = uv.rollcall_agreement(votes, ("USA",)).set_index(["target", "year"])["agreement"]
    for target in ("KHM", "GBR", "BRA", "IRN"):
        assert usa[(target, 2019)] == pytest.approx(value(frame, target, "USA", 2019), abs=1e-6)
    assert pd.isna(value(frame, "KHM", "USA", 2019, "flags.agreement"))  # the published score
