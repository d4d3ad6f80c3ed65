"""Document triage building blocks on small texts written for the tests: HTML and
WordPress shortcodes stripped, sentences, language routing, the gazetteer's case rules,
and DOCS.jsonl errors that name the file, line and field (nothing written on failure)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sharppower.errors import InputError
from sharppower.measures.triage.documents import read_documents, write_jsonl
from sharppower.measures.triage.gazetteer import gazetteer
from sharppower.measures.triage.lang import detect
from sharppower.measures.triage.text import document_text, plain_text, sentences

FIXTURES = Path(__file__).parent / "fixtures" / "triage"


def test_plain_text_strips_shortcodes_tags_and_entities():
    raw = ('[fusion_builder_container hundred_percent="no" type="legacy"][fusion_text]'
           "<p>Gazprom bought a stake in TVK &amp; its pipelines.</p><p>The U.S. objected."
           "</p>[/fusion_text][/fusion_builder_container]")
    text = plain_text(raw)
    assert text == "Gazprom bought a stake in TVK & its pipelines. The U.S. objected."
    assert sentences(text) == ["Gazprom bought a stake in TVK & its pipelines.",
                               "The U.S. objected."]
    assert document_text("Title", None) == "Title" and plain_text(None) == ""


def test_language_is_detected_and_short_texts_are_undetermined():
    assert detect("Russian hackers attacked the websites of Estonian ministries on Tuesday.")[0] == "en"
    assert detect("Des pirates informatiques russes ont attaqué le parlement hier soir.")[0] == "fr"
    assert detect("Russische Hacker griffen die Webseiten estnischer Ministerien an.")[0] == "de"
    assert detect("GRU") == ("und", 0.0)


def test_gazetteer_finds_names_demonyms_cities_and_actor_words():
    found = gazetteer().find("The Kremlin and RT targeted the U.S. vote; Lithuanian officials "
                             "in Vilnius met Czech diplomats from the Czech Republic.")
    got = [(m.iso3, m.kind) for m in found]
    assert ("RUS", "actor_term") in got and got.count(("RUS", "actor_term")) == 2
    assert ("LTU", "demonym") in got and ("LTU", "city") in got
    assert ("CZE", "demonym") in got and ("CZE", "name") in got
    assert ("USA", "name") in got  # "U.S." -> tokens U, S -> US in capitals


def test_gazetteer_case_rules_avoid_common_words():
    found = gazetteer().find("let us turn to the rt value; a nice chinese-style dish")
    assert found == []  # 'us', 'rt', 'nice', 'chinese' are not capitalised


def test_documents_are_read_with_their_line_numbers():
    docs = read_documents(FIXTURES / "docs.jsonl")
    assert list(docs["id"])[:2] == ["est-ddos", "ltu-trade"]
    assert list(docs["line"]) == [1, 2, 3, 4, 5, 6]
    assert docs.loc[5, "url"] is None and docs.loc[0, "date"] == "2022-08-17"


@pytest.mark.parametrize("line, field, message", [
    ('{"id": "a", "title": "t", "text": "x", "date": "2021-13-01"}', "date", "not a date"),
    ('{"title": "t", "text": "x"}', "id", "is required"),
    ('{"id": "a", "title": "t", "text": "x", "url": "ftp://x"}', "url", "not an http(s) URL"),
    ('{"id": "a", "title": 5, "text": "x"}', "title", "must be a string"),
    ('{"id": "a", "title": "", "text": ""}', "text", "needs a title or a text"),
    ('{"id": "a", "title": "t", "text": "x"', None, "not valid JSON"),
    ('["a"]', None, "JSON object"),
])
def test_a_malformed_line_names_file_line_and_field(tmp_path, line, field, message):
    path = tmp_path / "docs.jsonl"
    path.write_text('{"id": "ok", "title": "fine", "text": "fine"}\n\n' + line + "\n", "utf-8")
    with pytest.raises(InputError) as err:
        read_documents(path)
    assert err.value.row == 3 and err.value.field == field
    assert f"{path}, line 3" in str(err.value) and message in str(err.value)


def test_duplicate_ids_are_an_error(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text('{"id": 7, "title": "a"}\n{"id": "7", "title": "b"}\n', "utf-8")
    with pytest.raises(InputError, match="line 2, field 'id': duplicate id '7' \\(first on line 1\\)"):
        read_documents(path)


def test_predictions_are_written_all_or_nothing(tmp_path):
    out = tmp_path / "pred.jsonl"
    write_jsonl(out, [{"id": "a", "categories": ["x"]}])
    assert json.loads(out.read_text("utf-8")) == {"id": "a", "categories": ["x"]}

    def rows():
        yield {"id": "b"}
        raise RuntimeError("model failed half-way")

    with pytest.raises(RuntimeError):
        write_jsonl(out, rows())
    assert json.loads(out.read_text("utf-8"))["id"] == "a"  # the old file is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["pred.jsonl"]
