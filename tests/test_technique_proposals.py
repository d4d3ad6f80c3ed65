"""DISARM technique proposals: the framework's example incidents as training texts (the
analyst commentary that names the answer dropped), the ranker's grouped cross-validation
against a most-frequent baseline, and proposals stored apart from records until a
reviewer accepts (then on the record and in the STIX export) or rejects them."""

from __future__ import annotations

import json
import re

import openpyxl
import pytest
import stixcheck
from test_fimi_stix import ACCEPTED_WARNINGS

from sharppower.analysis import technique_queue as tq
from sharppower.errors import InputError, NotFound, ValidationError
from sharppower.measures.evidence import disarm
from sharppower.measures.evidence.ledger import add_evidence, get_evidence, review
from sharppower.measures.evidence.stix import export_stix
from sharppower.measures.evidence.technique_proposals import decide, list_proposals
from sharppower.measures.triage.disarm_examples import DATA_MASTER, read_examples
from sharppower.sources.connectors.disarm import BUNDLE, MASTER, parse_files


@pytest.fixture
def examples(mirror):
    return mirror / "disarm_framework" / DATA_MASTER


def load_framework(db, mirror) -> None:
    folder = mirror / "disarm_framework"
    with db.begin() as conn:
        disarm.load_framework(conn, parse_files(folder / BUNDLE, folder / MASTER))


def test_examples_keep_the_quoted_source_not_the_analysts_answer(examples):
    frame, warnings = read_examples(examples)
    assert len(frame) > 90 and frame["group"].nunique() > 50
    assert not any(re.search(r"\bT\d{4}", t) for t in frame["text"])
    assert not any("<br" in t or "<i>" in t for t in frame["text"])
    assert all(len(t) > 100 for t in frame["text"])
    # the published file's typo is named with its row, not silently "fixed"
    assert any("row 85" in w and "T00145.006" in w for w in warnings)


def test_bad_example_file_names_file_row_and_field(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "incidenttechniques"
    sheet.append(["disarm_id", "name", "incident_id", "technique_ids", "summary"])
    sheet.append(["IT1", "A quoted report of fake accounts.", "I1", "T0143.002", None])
    sheet.append(["IT2", None, "I1", "T0143.003", None])
    path = tmp_path / DATA_MASTER
    book.save(path)
    with pytest.raises(InputError) as err:
        read_examples(path)
    assert (err.value.row, err.value.field) == (3, "name") and DATA_MASTER in err.value.file


def test_held_out_ranking_beats_the_most_frequent_baseline(examples, mirror):
    from sharppower.measures.triage.techniques import cross_validate

    folder = mirror / "disarm_framework"
    frame = parse_files(folder / BUNDLE, folder / MASTER)
    tech = frame[frame["kind"] == "technique"]
    descriptions = {r.disarm_id: f"{r.name}. {r.summary or ''}" for r in tech.itertuples()}
    coded, _ = read_examples(examples)
    report = cross_validate(coded, descriptions, folds=5)
    model, base = report["model"], report["baseline_most_frequent"]
    assert report["techniques_with_enough_examples"] >= 10
    assert model["precision_at_1"] > base["precision_at_1"] + 0.05
    assert model["macro_f1_top3"] > base["macro_f1_top3"] + 0.05
    assert model["recall_at_5"] >= model["recall_at_3"]
    assert report["seconds"] < 30  # CI-safe: seconds, not minutes


def record(rid: str, title: str, narrative: str) -> dict:
    return {"id": rid, "actors": ["RUS"], "target": "EST", "start_date": "2022-03",
            "title": title, "narrative": narrative,
            "sources": [{"url": f"https://example.org/{rid}", "publisher": "Example"}]}


def test_proposals_wait_for_a_reviewer_and_only_accepted_ones_are_exported(db, mirror, examples):
    load_framework(db, mirror)
    add_evidence(db, record("ev-bots", "Fake personas on social media",
                            "Accounts posing as local journalists and military veterans, with "
                            "stolen photos, spread fabricated stories; a network of inauthentic "
                            "personas amplified each other."), coder="ana")
    add_evidence(db, record("ev-site", "Cloned news website",
                            "A website imitating a national newspaper published a forged "
                            "article, shared through paid advertisements."), coder="ana")
    review(db, "ev-site", "accept", "ben")
    result = tq.propose(db, examples, actor="RUS", target="EST")
    assert result["records"] == 2 and result["proposed"] == 6 and result["n_train"] > 90
    props = list_proposals(db)
    assert set(props["evidence_id"]) == {"ev-bots", "ev-site"}
    assert list(props[props["evidence_id"] == "ev-bots"]["rank"]) == [1, 2, 3]
    assert props["name"].notna().all()
    assert get_evidence(db, "ev-bots")["techniques"] == []  # never applied by the model
    assert not [o for o in json.loads(export_stix(db))["objects"] if o["type"] == "attack-pattern"]

    first, second = props[props["evidence_id"] == "ev-site"]["technique"].tolist()[:2]
    after = decide(db, "ev-site", first, "accept", "carla")
    assert after["techniques"] == [first] and after["status"] == "accepted"
    history = [h for h in get_evidence(db, "ev-site")["history"] if h["field"] == "techniques"]
    assert history[-1]["changed_by"] == "carla" and history[-1]["new_value"] == [first]
    decide(db, "ev-site", second, "reject", "carla")
    assert get_evidence(db, "ev-site")["techniques"] == [first]
    with pytest.raises(ValidationError, match="already rejected"):
        decide(db, "ev-site", second, "accept", "carla")
    with pytest.raises(NotFound):
        decide(db, "ev-site", "T0001", "accept", "carla")

    text = export_stix(db)
    stixcheck.validate(text, ACCEPTED_WARNINGS)
    objects = json.loads(text)["objects"]
    patterns = [o for o in objects if o["type"] == "attack-pattern"]
    assert [p["external_references"][0]["external_id"] for p in patterns] == [first]
    uses = [o for o in objects if o["type"] == "relationship" and o["relationship_type"] == "uses"]
    assert [u["target_ref"] for u in uses] == [patterns[0]["id"]]

    again = tq.propose(db, examples, ids=["ev-site"])  # decided techniques are not re-proposed
    reproposed = set(list_proposals(db, evidence_id="ev-site", status=None)["technique"])
    assert again["skipped"] >= 1 and first in reproposed and second in reproposed
    assert set(list_proposals(db, status="accepted")["technique"]) == {first}
    # the accepted record now trains the next model
    assert "ev-site" in set(tq.training_set(db, examples)[0]["id"])


def test_proposals_need_the_framework_and_some_examples(db):
    with pytest.raises(ValidationError) as err:
        tq.propose(db, None)
    assert err.value.field == "examples"


def test_cli_proposes_lists_reviews_and_evaluates(db, mirror, examples, monkeypatch):
    from test_evidence_cli import runner, url_of

    from sharppower.cli import app

    monkeypatch.setenv("SHARPPOWER_MIRROR", str(mirror))
    load_framework(db, mirror)
    add_evidence(db, record("ev-bots", "Fake personas on social media",
                            "Accounts posing as local journalists spread fabricated stories."),
                 coder="ana")

    def run(*args, ok=True):
        result = runner.invoke(app, ["triage", "techniques", *args, "--db", url_of(db)])
        assert (result.exit_code == 0) == ok, result.output
        return result

    out = run("propose", "--actor", "RUS", "--top", "2", "--json")
    assert json.loads(out.output)["proposed"] == 2
    listed = json.loads(run("list", "--json").output)
    assert [p["rank"] for p in listed] == [1, 2]
    chosen = listed[0]["technique"]
    assert chosen in run("review", "ev-bots", chosen, "accept", "--reviewer", "ben").output
    assert get_evidence(db, "ev-bots")["techniques"] == [chosen]
    bad = run("review", "ev-bots", chosen, "maybe", "--reviewer", "ben", ok=False)
    assert "accept or reject" in bad.output
    report = json.loads(run("evaluate", "--folds", "3", "--json").output)
    assert report["folds"] == 3 and report["model"]["precision_at_1"] > 0
