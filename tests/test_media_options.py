"""Issue 24, finding 6: every media option and every value of a match file is checked
before work starts; the compiled kernels never see an invalid argument (a shingle of 0
words crashed the process with a segfault), and a bad value is a one-line error naming
the option (or the file, line and field), with nothing written or stored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sharppower.cli import app
from sharppower.errors import InputError, ValidationError
from sharppower.measures import media
from sharppower.measures.media import kernels
from sharppower.measures.media.params import MatchParams

FIX = Path(__file__).parent / "fixtures" / "media"
ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _match(tmp_path, *options: str) -> subprocess.CompletedProcess:
    """`sharppower media match` on the fixture corpus in a child process (a crash of the
    kernels must not take the test run with it)."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    return subprocess.run(
        [sys.executable, "-c", "from sharppower.cli import app; app()", "media", "match",
         "--wire", str(FIX / "wire.jsonl"), "--local", str(FIX / "local.jsonl"),
         "--out", str(tmp_path / "m.jsonl"), "--workers", "1", *options],
        check=False, capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize(("options", "named"), [
    (("--shingle", "0"), "--shingle"), (("--shingle", "-1"), "--shingle"),
    (("--bands", "7"), "--bands"), (("--bands", "0"), "--bands"),
    (("--num-perm", "0"), "--num-perm"), (("--min-containment", "-1"), "--min-containment"),
    (("--min-containment", "nan"), "--min-containment"), (("--min-jaccard", "inf"), "--min-jaccard"),
    (("--lookback", "-2"), "--lookback"), (("--workers", "-1"), "--workers"),
])
def test_a_bad_match_option_is_one_line_naming_it(tmp_path, options, named):
    done = _match(tmp_path, *options)
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert named in done.stderr and "Traceback" not in done.stderr + done.stdout
    assert len(done.stderr.strip().splitlines()) <= 2  # rich may wrap the one message
    assert not (tmp_path / "m.jsonl").exists()


def test_the_library_and_the_kernels_refuse_bad_values_too():
    for bad in ({"shingle": 0}, {"bands": 7}, {"min_containment": float("nan")},
                {"min_jaccard": 1.5}, {"num_perm": True}, {"batch": 0}, {"seed": -1}):
        with pytest.raises(ValidationError, match=next(iter(bad))):
            MatchParams(**bad)
    assert MatchParams(shingle=3, num_perm=64, bands=16).bands == 16
    data = kernels.np.frombuffer(b"a b c" + bytes([kernels.SEP]), dtype=kernels.np.uint8)
    word = kernels.np.ones(256, dtype=kernels.np.uint8)
    for k in (0, -1):
        with pytest.raises(ValueError, match="k"):
            kernels.shingle_hashes(data, word, k, 31, 7)
    flat, offsets = kernels.shingle_hashes(data, word, 1, 31, 7)
    with pytest.raises(ValueError, match="num_perm"):
        kernels.oph_signatures(flat, offsets, 0, 1)
    with pytest.raises(ValueError, match="seed"):
        kernels.oph_signatures(flat, offsets, 8, -5)


@pytest.fixture
def match_file(tmp_path) -> Path:
    out = tmp_path / "m.jsonl"
    media.match(FIX / "wire.jsonl", FIX / "local.jsonl", out, params=MatchParams(min_shingles=5),
                workers=1)
    return out


def _edited(match_file: Path, line: int, **changes) -> Path:
    rows = [json.loads(x) for x in match_file.read_text("utf-8").splitlines()]
    rows[line - 1].update(changes)
    bad = match_file.with_name("bad.jsonl")
    bad.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    return bad


@pytest.mark.parametrize(("changes", "field"), [
    ({"actor": "$(id)"}, "actor"), ({"containment": float("inf")}, "containment"),
    ({"jaccard": float("nan")}, "jaccard"), ({"containment": -0.5}, "containment"),
    ({"containment": "0.9"}, "containment"), ({"attribution": "maybe"}, "attribution"),
    ({"local_id": ["k1"]}, "local_id"), ({"wire_id": " "}, "wire_id"),
])
def test_media_import_refuses_a_bad_match_line_and_stores_nothing(db, match_file, changes, field):
    bad = _edited(match_file, 2, **changes)
    with pytest.raises(InputError) as caught:
        media.import_matches(db, bad, FIX / "local.jsonl", run="bad")
    assert caught.value.row == "line 2" and caught.value.field == field
    assert str(bad) in str(caught.value)
    assert db.scalar("SELECT COUNT(*) FROM observations") == 0
    assert db.scalar("SELECT COUNT(*) FROM media_pairs") == 0


def test_media_import_cli_names_file_line_and_field(tmp_path, match_file):
    bad = _edited(match_file, 1, containment=float("inf"))  # written as Infinity
    assert "Infinity" in bad.read_text("utf-8")
    url = f"sqlite:///{tmp_path / 's.db'}"
    result = runner.invoke(app, ["media", "import", "--matches", str(bad), "--local",
                                 str(FIX / "local.jsonl"), "--db", url])
    assert result.exit_code == 1 and "line 1" in result.output and "containment" in result.output
    for option in (["--weighting", "loudest"], ["--actor", "$(id)"]):
        result = runner.invoke(app, ["media", "report", "--matches", str(match_file), "--local",
                                     str(FIX / "local.jsonl"), *option])
        assert result.exit_code == 1 and option[0] in result.output, result.output
