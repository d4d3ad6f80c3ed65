"""Issue 24, finding 7 (triage part): `triage classify` and `triage run` read their input
within stated limits: JSON nested too deeply is a line error (a RecursionError traceback
before), a document over MAX_DOCUMENT_CHARS characters or a file over MAX_INPUT_BYTES is
refused at once with the limit in the message (a 10 MB document took 23 s and 2.2 GB),
before any model is loaded or anything is written."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from sharppower.cli import app
from sharppower.errors import InputError
from sharppower.measures.triage import documents
from sharppower.measures.triage.documents import read_documents

runner = CliRunner()
OK = '{"id": "ok", "title": "fine", "text": "fine"}\n'


def _classify(tmp_path, docs):
    out = tmp_path / "pred.jsonl"
    result = runner.invoke(app, ["triage", "classify", "--input", str(docs), "--out", str(out),
                                 "--db", f"sqlite:///{tmp_path / 's.db'}"])
    return result, out


def test_deeply_nested_json_is_a_line_error(tmp_path):
    docs = tmp_path / "deep.jsonl"
    docs.write_text(OK + "[" * 100_000 + "]" * 100_000 + "\n", "utf-8")
    with pytest.raises(InputError) as err:
        read_documents(docs)
    assert err.value.row == 2 and "nested too deeply" in str(err.value)
    result, out = _classify(tmp_path, docs)
    said = " ".join(result.output.split())  # the message is wrapped at the terminal width
    assert result.exit_code == 1 and "line 2" in said and "nested" in said
    assert "Traceback" not in said and not out.exists()


def test_a_huge_document_is_refused_at_once_naming_the_limit(tmp_path):
    docs = tmp_path / "huge.jsonl"
    docs.write_text(OK + '{"id": "big", "title": "t", "text": "' + "word " * 2_000_000 + '"}\n',
                    "utf-8")  # a 10 MB document
    result, out = _classify(tmp_path, docs)
    said = " ".join(result.output.split())  # the message is wrapped at the terminal width
    assert result.exit_code == 1 and "line 2" in said
    assert f"{documents.MAX_DOCUMENT_CHARS:,} characters" in said and not out.exists()


def test_a_document_at_the_limit_is_read(tmp_path):
    docs = tmp_path / "long.jsonl"
    head = '{"id": "long", "title": "t", "text": "'
    body = "x" * (documents.MAX_DOCUMENT_CHARS - len(head) - 2)
    docs.write_text(head + body + '"}\n', "utf-8")
    assert len(read_documents(docs).loc[0, "text"]) == len(body)


def test_an_input_over_the_file_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "MAX_INPUT_BYTES", 1000)
    docs = tmp_path / "many.jsonl"
    docs.write_text("".join(f'{{"id": "d{i}", "title": "t", "text": "x"}}\n' for i in range(40)),
                    "utf-8")
    with pytest.raises(InputError, match="at most 1,000 bytes an input"):
        read_documents(docs)
    result, _ = _classify(tmp_path, docs)
    assert result.exit_code == 1 and "1,000 bytes" in result.output
