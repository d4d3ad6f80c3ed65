"""Actors are data: declared once in the codebook (or a user codebook), measured by every
actor-generic source, and only by the actor-specific sources that declare them."""

from __future__ import annotations

import pytest
import yaml
from _new_sources import mirror_snapshot

from sharppower.codebook import load_codebook, packaged_codebook
from sharppower.countries import resolver
from sharppower.errors import ValidationError
from sharppower.index.spec import load_spec
from sharppower.sources.actors import measured_actors, missing_warnings
from sharppower.sources.connectors import sipri_arms_transfers as sipri
from sharppower.sources.load import LoadContext, load_source
from sharppower.sources.registry import SOURCES

GENERIC = {"imf-dots", "sipri-arms-transfers", "unga-voting", "pew-global-attitudes",
           "pew-toplines", "mid-dyadic", "ucdp-prio-acd", "un-desa-migrant-stock"}
GENERIC |= {"eurepoc-cyber-incidents", "cfr-cyber-operations", "gsdb-sanctions"}  # issue 22


def _user_codebook(tmp_path, monkeypatch, data) -> str:
    path = tmp_path / "user_codebook.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    monkeypatch.setenv("SHARPPOWER_CODEBOOK", str(path))
    return str(path)


def test_the_packaged_codebook_declares_four_actors_and_no_indicator_lists_its_actors():
    book = load_codebook()
    assert list(book.actors) == ["CHN", "RUS", "IRN", "USA"]
    assert {a: i.kind for a, i in book.actor_info.items()} == {
        "CHN": "authoritarian", "RUS": "authoritarian", "IRN": "authoritarian",
        "USA": "comparator"}
    assert book.indicators["actors"].isna().all()
    assert "PRI" in book.own("USA") and "HKG" in book.own("CHN")


def test_every_source_declares_the_actors_it_measures():
    book = load_codebook()
    for name, source in SOURCES.items():
        assert source.actors == "any" or isinstance(source.actors, tuple), name
        if source.actors != "any":
            assert set(source.actors) <= set(book.actors), name
    assert {n for n, s in SOURCES.items() if s.actors == "any"} == GENERIC
    assert SOURCES["confucius-institutes"].actors == ("CHN",)
    assert SOURCES["euvsdisinfo"].actors == ("RUS",)
    assert SOURCES["freedom-house"].actors == ()


def test_an_indicator_exists_for_the_actors_its_source_measures():
    book = load_codebook()
    assert measured_actors(SOURCES["asd-interference-tracker"], book) == ["CHN", "RUS"]
    assert measured_actors(SOURCES["imf-dots"], book) is None  # every declared actor
    assert measured_actors(SOURCES["wgi"], book) is None  # the target's own, shared
    spec = load_spec()
    assert spec.applies["exp_confucius_stock"] == ["CHN"]
    assert spec.applies["exp_arms_share_5yr"] is None
    assert spec.applies["exp_investment_stock_trade"] == ["CHN"]  # a ratio: where its parts are


def test_a_user_codebook_adds_an_actor_and_an_indicator(tmp_path, monkeypatch):
    path = _user_codebook(tmp_path, monkeypatch, {
        "actors": [{"iso3": "TUR", "name": "Turkey", "kind": "comparator"}],
        "indicators": [{
            "code": "exp_arms_tiv_total_5yr", "name": "Arms received from every supplier",
            "pillar": "exposure", "domain": "arms_dependence", "layer": "exposure",
            "direction": "positive", "unit": "TIV millions", "source": "sipri-arms-transfers",
            "variable": "tiv_total_5yr", "index": False,
            "description": "All major arms delivered to the target in five years."}]})
    book = load_codebook()
    assert list(book.actors) == ["CHN", "RUS", "IRN", "USA", "TUR"]
    assert book.actor_info["TUR"].kind == "comparator" and book.has_indicator("exp_arms_tiv_total_5yr")
    assert book.path.endswith(path)
    assert "TUR" in packaged_codebook().actors and "TUR" in load_spec().actors
    monkeypatch.delenv("SHARPPOWER_CODEBOOK")
    assert "TUR" not in packaged_codebook().actors  # cached per user file, not per process


@pytest.mark.parametrize("data, field", [
    ({"actors": [{"iso3": "TUR", "kind": "rival"}]}, "actors[0].kind"),
    ({"actors": [{"iso3": "CHN"}]}, "actors[0].iso3"),  # declared twice
    ({"actors": [{"iso3": "TUR"}, {"iso3": "TURK"}]}, "actors[1].iso3"),
    ({"indicators": [{"code": "x", "name": "x", "pillar": "exposure", "domain": "arms",
                      "layer": "exposure", "direction": "positive", "unit": "u",
                      "source": "s", "description": "d"}]}, "indicators[0].domain"),
    ({"indicators": [{"code": "exp_trade_share", "name": "x", "pillar": "exposure",
                      "domain": "trade_dependence", "layer": "exposure",
                      "direction": "positive", "unit": "u", "source": "s",
                      "description": "d"}]}, "indicators[0].code"),  # already packaged
    ({"pillars": {"exposure": {"domains": {"trade_dependence": "again"}}}},
     "pillars.exposure.domains.trade_dependence"),
    ({"layers": {"exposure": "x"}}, "layers"),  # a user codebook only adds
])
def test_a_bad_user_codebook_names_its_file_and_the_path(tmp_path, monkeypatch, data, field):
    path = _user_codebook(tmp_path, monkeypatch, data)
    with pytest.raises(ValidationError) as err:
        load_codebook()
    assert (err.value.where, err.value.field) == (path, field)


def test_an_unreadable_user_codebook_is_an_error_naming_it(tmp_path, monkeypatch):
    monkeypatch.setenv("SHARPPOWER_CODEBOOK", str(tmp_path / "missing.yaml"))
    with pytest.raises(ValidationError, match="missing.yaml"):
        load_codebook()
    (tmp_path / "bad.yaml").write_text("actors: [", "utf-8")
    monkeypatch.setenv("SHARPPOWER_CODEBOOK", str(tmp_path / "bad.yaml"))
    with pytest.raises(ValidationError) as err:
        load_codebook()
    assert err.value.where == str(tmp_path / "bad.yaml")


def test_missing_warnings_list_each_actor_without_rows():
    import pandas as pd

    frame = pd.DataFrame({"actor": ["CHN", "CHN", "RUS"], "target": ["KEN", "UGA", "KEN"]})
    assert missing_warnings("x", frame, ["CHN", "IRN", "RUS", "MNG"], "why") == [
        "x: no rows for declared actor IRN (why)", "x: no rows for declared actor MNG (why)"]


@pytest.fixture(scope="module")
def sipri_snapshot(tmp_path_factory):
    return mirror_snapshot(tmp_path_factory, "sipri-arms-transfers")


def test_an_actor_generic_source_warns_of_a_declared_actor_it_has_no_data_for(
        sipri_snapshot, db, tmp_path, monkeypatch):
    """Mongolia supplied no major arms in 2000-2023: declared, it gets no SIPRI rows and the
    load lists it; Turkey (a supplier) gets rows with no warning."""
    _user_codebook(tmp_path, monkeypatch, {"actors": [{"iso3": "MNG"}, {"iso3": "TUR"}]})
    book = load_codebook()
    result = load_source(LoadContext(db, book, resolver()), sipri.SOURCE, sipri_snapshot)
    assert "sipri-arms-transfers: no rows for declared actor MNG (no supplier of the register " \
           "is it)" in result.warnings
    assert not any("actor TUR" in w for w in result.warnings)
    stored = db.read("SELECT actor, COUNT(*) AS n FROM observations GROUP BY actor")
    assert set(stored["actor"]) == {"CHN", "RUS", "IRN", "USA", "TUR"}
