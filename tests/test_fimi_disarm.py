"""DISARM: the connector on the mirror and on a small fixture, technique ids on evidence
records (validated against the loaded framework, with history), filters by technique and
tactic, and Krippendorff's alpha for technique coding."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sharppower.errors import InputError, ValidationError
from sharppower.measures.evidence import disarm
from sharppower.measures.evidence.agreement import agreement
from sharppower.measures.evidence.ledger import (
    add_evidence,
    code,
    get_evidence,
    list_evidence,
    update_evidence,
)
from sharppower.sources.connectors.disarm import BUNDLE, MASTER, parse_files

FIXTURES = Path(__file__).parent / "fixtures" / "fimi"


def small_framework():
    return parse_files(FIXTURES / BUNDLE, FIXTURES / MASTER)


def load_small(db) -> None:
    with db.begin() as conn:
        disarm.load_framework(conn, small_framework())


def record(**kw) -> dict:
    return {"actors": ["RUS"], "target": "EST", "start_date": "2019-04", "title": "Fake video",
            "sources": [{"url": "https://example.org/a", "publisher": "Example"}],
            "indicators": ["sp_info_manipulation"]} | kw


def test_mirror_framework_has_phases_tactics_techniques_with_stix_ids(mirror):
    folder = mirror / "disarm_framework"
    frame = parse_files(folder / BUNDLE, folder / MASTER)
    counts = frame["kind"].value_counts().to_dict()
    assert counts == {"phase": 4, "tactic": 16, "technique": 391}
    sub = frame.set_index("disarm_id").loc["T0086.002"]
    assert (sub["parent_id"], sub["tactic_id"], sub["phase_id"]) == ("T0086", "TA06", "P02")
    assert sub["name"] == "Develop AI-Generated Images (Deepfakes)"
    published = {o["external_references"][0]["external_id"]: o["id"]
                 for o in json.loads((folder / BUNDLE).read_text())["objects"]
                 if o["type"] in ("attack-pattern", "x-mitre-tactic")}
    ids = frame[frame["kind"] != "phase"].set_index("disarm_id")["stix_id"].to_dict()
    assert ids == published
    assert (frame[frame["kind"] == "technique"]["parent_id"].notna()).sum() == 288


def test_tactic_differing_between_bundle_and_master_names_file_row_field(tmp_path):
    data = json.loads((FIXTURES / BUNDLE).read_text())
    for obj in data["objects"]:
        if obj["type"] == "attack-pattern" and obj["external_references"][0]["external_id"] == "T0049":
            obj["kill_chain_phases"][0]["phase_name"] = "develop-content"
    (tmp_path / BUNDLE).write_text(json.dumps(data))
    shutil.copy(FIXTURES / MASTER, tmp_path / MASTER)
    with pytest.raises(InputError) as err:
        parse_files(tmp_path / BUNDLE, tmp_path / MASTER)
    assert (err.value.file, err.value.row, err.value.field) == (
        f"{MASTER}!techniques", 5, "tactic_id")


def test_technique_ids_refused_until_the_framework_is_loaded(db):
    with pytest.raises(ValidationError) as err:
        add_evidence(db, record(techniques=["T0086.002"]), coder="ana")
    assert err.value.field == "techniques" and "not loaded" in str(err.value)
    assert list_evidence(db).empty
    add_evidence(db, record(id="ev-plain"), coder="ana")  # records without techniques work


def test_techniques_validated_stored_with_history_and_filtered(db):
    load_small(db)
    with pytest.raises(ValidationError) as err:
        add_evidence(db, record(techniques=["T0086.002", "T9999"]), coder="ana")
    assert err.value.field == "techniques" and "T9999" in str(err.value)
    with pytest.raises(ValidationError, match="not a DISARM technique id"):
        add_evidence(db, record(techniques=["deepfake"]), coder="ana")
    add_evidence(db, record(id="ev-1", techniques=["t0086.002"]), coder="ana")
    add_evidence(db, record(id="ev-2", techniques=["T0049"]), coder="ana")
    assert get_evidence(db, "ev-1")["techniques"] == ["T0086.002"]
    update_evidence(db, "ev-1", {"techniques": ["T0086.002", "T0085"]}, coder="ben")
    rec = get_evidence(db, "ev-1")
    assert rec["techniques"] == ["T0086.002", "T0085"]
    change = [h for h in rec["history"] if h["field"] == "techniques"]
    assert change[0]["old_value"] == ["T0086.002"] and change[0]["changed_by"] == "ben"
    assert list(list_evidence(db, technique="T0086")["id"]) == ["ev-1"]  # sub-techniques too
    assert list(list_evidence(db, tactic="TA17")["id"]) == ["ev-2"]
    assert set(list_evidence(db, tactic="ta06")["id"]) == {"ev-1"}
    with pytest.raises(ValidationError) as err:
        list_evidence(db, tactic="TA99")
    assert err.value.field == "tactic"


def test_alpha_for_technique_coding_like_indicator_coding(db):
    load_small(db)
    plan = {"ev-a": (["T0085"], ["T0085"]), "ev-b": (["T0086"], ["T0049"]),
            "ev-c": (["T0049"], ["T0049"]), "ev-d": ([], ["T0085"])}
    for rid, (first, second) in plan.items():
        add_evidence(db, record(id=rid, techniques=first), coder="ana")
        code(db, rid, "ben", ["sp_info_manipulation"], techniques=second)
    result = agreement(db, scheme="techniques")
    per = result.per_indicator.set_index("indicator")
    assert set(per.index) == {"T0085", "T0086", "T0049"}
    assert result.overall["records"] == 4 and result.overall["units"] == 12
    # T0085: coded/not coded by ana and ben over four records: (1,1) (0,0) (0,0) (0,1)
    # coincidences o11=2, o00=4, o01=o10=1 -> n=8, alpha = 1 - 7 * 2 / (2*3*5) = 8/15
    assert per.loc["T0085", "alpha"] == pytest.approx(1 - 7 * 2 / 30)
    assert agreement(db).overall["alpha"] is None  # indicators: all agree on one value
    disagree = result.disagreements
    assert set(zip(disagree["evidence_id"], disagree["indicator"])) == {
        ("ev-b", "T0086"), ("ev-b", "T0049"), ("ev-d", "T0085")}
    with pytest.raises(ValidationError):
        agreement(db, scheme="tools")


def test_codebook_disarm_mapping_resolves_in_the_published_framework(mirror):
    from sharppower.codebook import load_codebook

    folder = mirror / "disarm_framework"
    frame = parse_files(folder / BUNDLE, folder / MASTER)
    book = load_codebook()
    mapping = disarm.codebook_mapping(book)
    evidence_codes = set(book.indicators.query("source == 'evidence'")["code"])
    assert {c for c in mapping if c.startswith("sp_")} == {c for c in evidence_codes
                                                           if c.startswith("sp_")}
    assert disarm.unknown_in_mapping(book, frame) == []
    assert "T0086" in mapping["sp_info_manipulation"]["techniques"]
    broken = pd.DataFrame({"disarm_id": ["TA06"]})
    assert "sp_info_manipulation: T0086" in disarm.unknown_in_mapping(book, broken)


def test_file_import_with_unknown_technique_names_file_row_field(db, tmp_path):
    from sharppower.measures.evidence.exchange import import_file

    rows = [record(id="ev-1", coder="ana"), record(id="ev-2", coder="ana", techniques=["T0086.002"])]
    path = tmp_path / "records.json"
    path.write_text(json.dumps({"records": rows}))
    with pytest.raises(InputError) as err:
        import_file(db, path)
    assert (err.value.row, err.value.field) == (2, "techniques") and "not loaded" in str(err.value)
    assert list_evidence(db).empty
    load_small(db)
    assert import_file(db, path)["inserted"] == 2
    assert get_evidence(db, "ev-2")["techniques"] == ["T0086.002"]
