"""The validity report: rank agreement with an external index (bootstrap intervals), the
largest disagreements, the internal view, and the `validate` command, on a store of
realistic synthetic observations (SQLite and PostgreSQL) and on fixture files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from sharppower.analysis import validity
from sharppower.countries import resolver
from sharppower.errors import InputError
from sharppower.index import build_index, load_spec, scores
from sharppower.index.synthetic import REGIONS, synthetic_observations, write_observations

FIXTURES = Path(__file__).parent / "fixtures" / "validity"
YEAR = 2015


def test_bootstrap_statistics_agree_with_scipy_row_by_row():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 6, size=(40, 25)).astype(float)  # many ties
    y = x + rng.normal(0, 2, size=x.shape)
    tau = validity._kendall_rows(x, y)
    rho = validity._pearson_rows(validity._rank_rows(x), validity._rank_rows(y))
    for i in range(len(x)):
        assert tau[i] == pytest.approx(stats.kendalltau(x[i], y[i]).statistic, abs=1e-12)
        assert rho[i] == pytest.approx(stats.spearmanr(x[i], y[i]).statistic, abs=1e-12)


def test_rank_agreement_interval_holds_the_estimate_and_narrows_with_n():
    rng = np.random.default_rng(5)
    small, large = rng.normal(size=(2, 20)), rng.normal(size=(2, 400))
    small[1] += 2 * small[0]
    large[1] += 2 * large[0]
    a, b = validity.rank_agreement(*small, boot=400), validity.rank_agreement(*large, boot=400)
    for r in (a, b):
        assert r["spearman_low"] <= r["spearman"] <= r["spearman_high"]
        assert r["kendall_low"] <= r["kendall"] <= r["kendall_high"]
    assert (b["spearman_high"] - b["spearman_low"]) < (a["spearman_high"] - a["spearman_low"])
    few = validity.rank_agreement([1, 2, 3], [3, 2, 1])
    assert few["n"] == 3 and np.isnan(few["spearman"])


def test_external_file_resolves_names_aliases_and_codes():
    ext, unresolved, skipped = validity.read_external(FIXTURES / "external_index.csv")
    got = dict(zip(ext["target"], ext["external"]))
    assert got["KOR"] == 55.0 and got["VNM"] == 62.3 and got["KEN"] == 77.4
    assert "BRA" not in got  # empty score: not an observation
    assert unresolved == ["Atlantis (row 13)"] and skipped == []
    assert len(ext) == 13


@pytest.mark.parametrize("name, row, field", [("bad_score.csv", 3, "value"),
                                              ("duplicate.csv", 3, "country")])
def test_bad_external_file_names_file_row_and_field(name, row, field):
    with pytest.raises(InputError) as err:
        validity.read_external(FIXTURES / name)
    assert (err.value.file, err.value.row, err.value.field) == (name, row, field)


@pytest.fixture
def index_store(db):
    write_observations(db, synthetic_observations(11, REGIONS, range(2013, 2017)), REGIONS)
    spec = load_spec()
    spec.uncertainty = {**spec.uncertainty, "runs": 20, "sensitivity_runs": 0}
    build_index(db, spec)
    return db


def _external(tmp_path, frame: pd.DataFrame, name="ext.csv") -> Path:
    res = resolver()
    path = tmp_path / name
    pd.DataFrame({"country": [res.name(t) for t in frame["target"]],
                  "score": frame["score"]}).to_csv(path, index=False)
    return path


def test_validate_identical_and_reversed_rankings(index_store, tmp_path):
    ours = scores(index_store, "CHN", YEAR, "index")
    same = validity.validate(index_store, _external(tmp_path, ours), "CHN", YEAR, boot=200)
    top = same.correlations[same.correlations["level"] == "index"].iloc[0]
    assert top["n"] == len(ours) and top["spearman"] == pytest.approx(1.0)
    assert top["kendall"] == pytest.approx(1.0) and top["spearman_low"] == pytest.approx(1.0)
    assert set(same.correlations["level"]) == {"index", "pillar", "domain"}
    rev = validity.validate(index_store, _external(tmp_path, ours.assign(score=-ours["score"])),
                            "CHN", YEAR, boot=200, level="index")
    assert set(rev.correlations["level"]) == {"index"}
    assert rev.correlations.iloc[0]["spearman"] == pytest.approx(-1.0)


def test_largest_disagreement_is_the_moved_target(index_store, tmp_path):
    ours = scores(index_store, "CHN", YEAR, "index").sort_values("score")
    moved = ours["target"].iloc[0]  # our lowest score: the external index puts it on top
    ext = ours.assign(score=np.where(ours["target"] == moved, 1e6, ours["score"]))
    result = validity.validate(index_store, _external(tmp_path, ext), "CHN", YEAR, boot=100)
    first = result.disagreements.iloc[0]
    assert first["target"] == moved and first["gap"] < -0.8
    assert first["name"] == resolver().name(moved)
    assert result.correlations.iloc[0]["spearman"] < 1.0


def test_internal_view_relates_components_to_pillar_and_index(index_store):
    view = validity.internal_view(index_store, "CHN", YEAR)
    spec = load_spec()
    domains = view[view["level"] == "domain"]
    for row in domains.itertuples():
        assert node_in(spec, row.node, row.parent)
        assert 0 < row.share_scored <= 1 and row.n > 0
    pillars = view[view["level"] == "pillar"]
    assert set(pillars["parent"].dropna()) <= set(spec.indices)
    finite = view["corr_parent"].dropna()
    assert len(finite) and finite.between(-1, 1).all()


def node_in(spec, domain, pillar) -> bool:
    return domain in spec.pillars.get(pillar, {})


def test_validate_command_json(index_store, tmp_path, monkeypatch):
    from sharppower.cli import app

    url = index_store.url if index_store.schema is None else None
    if url is None:
        pytest.skip("the CLI opens stores by URL; the PostgreSQL schema is covered above")
    result = CliRunner().invoke(app, ["validate", "--against", str(FIXTURES / "external_index.csv"),
                                      "--actor", "CHN", "--year", str(YEAR), "--boot", "100",
                                      "--db", url, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["unresolved"] == ["Atlantis (row 13)"]
    index_row = next(r for r in data["correlations"] if r["level"] == "index")
    ours = set(scores(index_store, "CHN", YEAR, "index")["target"])
    ext, _, _ = validity.read_external(FIXTURES / "external_index.csv")
    assert index_row["n"] == len(ours & set(ext["target"]))
    bad = CliRunner().invoke(app, ["validate", "--against", str(FIXTURES / "bad_score.csv"),
                                   "--actor", "CHN", "--year", str(YEAR), "--db", url])
    assert bad.exit_code == 1 and "row 3" in bad.output and "value" in bad.output
    for args, named in ((["--actor", "CHN"], "--against"), ([], "--against and --actor")):
        short = CliRunner().invoke(app, ["validate", *args, "--db", url])
        assert short.exit_code == 1 and f"error: {named}: missing" in short.output, short.output
        assert "Traceback" not in short.output


def test_methodology_page_shows_the_internal_view(index_store, tmp_path):
    from fastapi.testclient import TestClient

    from sharppower.settings import Settings
    from sharppower.web.app import create_app

    conf = Settings(data_dir=tmp_path / "data", database_url=index_store.url, mirror=None)
    client = TestClient(create_app(conf, index_store))
    data = client.get("/methodology.json").json()["validity"]
    chn = next(v for v in data if v["actor"] == "CHN")
    view = validity.internal_view(index_store, "CHN", chn["year"])
    assert [r["node"] for r in chn["rows"]] == list(view["node"])
    html = client.get("/methodology", headers={"Accept": "text/html"}).text
    assert 'id="validity"' in html and "sharppower validate --against" in html
