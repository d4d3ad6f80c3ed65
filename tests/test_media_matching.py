"""Media matching on small hand-written corpora (tests/fixtures/media): shingles, MinHash
bands, verification, the date window, attribution, corpus errors and the match file."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sharppower.errors import InputError
from sharppower.measures.media.attribution import load_rules
from sharppower.measures.media.candidates import BandIndex
from sharppower.measures.media.corpus import read_corpus
from sharppower.measures.media.engine_local import match_local
from sharppower.measures.media.matchfile import read_matches, write_matches
from sharppower.measures.media.params import MatchParams
from sharppower.measures.media.shingle import shingles, unique_sets
from sharppower.measures.media.verify import in_window, overlap_scores

FIX = Path(__file__).parent / "fixtures" / "media"


def test_shingles_do_not_depend_on_the_batch_or_letter_case():
    a = "The port of Lamu will grow, officials said on Tuesday."
    flat1, off1 = shingles([a], k=3)
    flat2, off2 = shingles(["other words here and there", a.upper(), "x"], k=3)
    assert list(off1) == [0, 8]        # 10 words -> 8 three-word shingles
    assert list(off2) == [0, 3, 11, 11]  # "x" has no shingle
    assert np.array_equal(flat1, flat2[3:11])


def test_shingles_keep_non_latin_words_and_split_on_punctuation():
    flat, off = shingles(["Ünïcode wörds: ЦИК Москва, 北京 today!", "ünïcode WÖRDS ЦИК москва 北京 today",
                          "Ünïcode wörds — ЦИК"], k=2)
    first, second, dash = unique_sets(flat, off)
    assert len(first) == 5 and np.array_equal(first, second)
    assert len(dash) == 3  # the em dash is a token of its own


def test_overlap_scores_by_hand():
    wire, local = np.array([1, 2, 3, 4], dtype=np.uint64), np.array([3, 4, 5], dtype=np.uint64)
    assert overlap_scores(wire, local) == (0.5, 2 / 5)
    assert overlap_scores(wire, np.array([], dtype=np.uint64)) == (0.0, 0.0)


def test_date_window():
    p = MatchParams(lead_days=1, lookback_days=30)
    gaps = np.array([-2, -1, 0, 30, 31])
    assert in_window(gaps, np.zeros(5), p).tolist() == [False, True, True, True, False]


def test_band_index_finds_exactly_the_pairs_sharing_a_key():
    rng = np.random.default_rng(0)
    wire = rng.integers(0, 6, size=(30, 4)).astype(np.uint64)
    local = rng.integers(0, 6, size=(20, 4)).astype(np.uint64)
    valid_w = np.ones(30, bool)
    valid_w[3] = False
    got = set(zip(*BandIndex(wire, valid_w).query(local, np.ones(20, bool))))
    want = {(i, j) for i in range(20) for j in range(30)
            if valid_w[j] and set(local[i].tolist()) & set(wire[j].tolist())}
    assert got == want


@pytest.mark.parametrize(("local", "wire", "outlet", "expected"), [
    ("NAIROBI, May 3 (Xinhua) -- China said", "China said", "Xinhua", ("attributed", "Xinhua")),
    ("China said.\n\nSource: CGTN", "China said", "cgtn.com", ("attributed", "CGTN")),
    ("China said, RT reported on Friday.", "China said", "RT", ("attributed", "RT")),
    ("By Jane Wanjiru, Staff Writer\nChina said", "China said", "Xinhua", ("reattributed", "staff")),
    ("(AFP) -- China said", "China said", "Xinhua", ("reattributed", "AFP")),
    ("China said, according to Reuters.", "China said, according to Reuters.", "Xinhua",
     ("unattributed", "")),
    ("(Xinhua) -- China said", "China said", "en.people.cn", ("reattributed", "Xinhua")),
    ("(Xinhua) -- China said", "BEIJING (Xinhua) -- China said", "People's Daily",
     ("attributed", "Xinhua")),
    ("the art report: rt reported", "x", "RT", ("unattributed", "")),
])
def test_attribution_rules(local, wire, outlet, expected):
    assert load_rules().attribute(local, wire, outlet) == expected


def test_small_corpus_matches_reprints_within_the_window_only():
    result = match_local(FIX / "wire.jsonl", FIX / "local.jsonl",
                         MatchParams(min_shingles=5), workers=1)
    m = result.matches.set_index("local_id")
    assert list(m.index) == ["k1", "k2", "k3"]  # g1 precedes its source by 9 days
    assert m.loc["k1", ["wire_id", "attribution", "credit", "actor"]].tolist() == [
        "x1", "attributed", "Xinhua", "CHN"]
    assert m.loc["k1", "containment"] < 1 and m.loc["k1", "jaccard"] == m.loc["k1", "containment"]
    assert m.loc["k2", ["wire_id", "attribution", "credit"]].tolist() == ["c1", "reattributed", "staff"]
    assert m.loc["k3", ["attribution", "actor", "containment"]].tolist() == ["unattributed", "RUS", 1.0]
    assert (result.local_articles, result.wire_articles) == (6, 3)


def _write(path: Path, lines: list[str], gz: bool = False) -> Path:
    opener = gzip.open if gz else open
    with opener(path, "wt", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path


GOOD = json.dumps({"id": "a", "outlet": "o", "country": "KEN", "date": "2022-01-01", "text": "t"})


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", "line 2: not valid JSON"),
    (json.dumps({"id": "b", "outlet": "o", "country": "KEN", "date": "2022-01-01"}),
     "line 2, field 'text': missing value"),
    (json.dumps({"id": "b", "outlet": "o", "country": "KEN", "date": "1 May", "text": "t"}),
     "line 2, field 'date': not an ISO date"),
    (json.dumps({"id": "b", "outlet": "o", "country": "Atlantis", "date": "2022-01-01", "text": "t"}),
     "line 2, field 'country': unknown country 'Atlantis'"),
    (json.dumps({"id": "b", "outlet": 5, "country": "KEN", "date": "2022-01-01", "text": "t"}),
     "line 2, field 'outlet': expected a string"),
    (GOOD, "line 2, field 'id': id 'a' appears on lines 1, 2"),
])
def test_malformed_lines_name_file_line_and_field(tmp_path, line, message):
    path = _write(tmp_path / "c.jsonl.gz", [GOOD, line], gz=True)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        read_corpus(path)
    assert err.value.file == str(path)


def test_skip_mode_leaves_out_the_bad_line_and_reports_it(tmp_path):
    ok2 = GOOD.replace('"a"', '"c"')
    path = _write(tmp_path / "c.jsonl", [GOOD, "{bad", "", ok2])
    frame, skipped = read_corpus(path, on_error="skip")
    assert frame["id"].tolist() == ["a", "c"] and frame["line"].tolist() == [1, 4]
    assert len(skipped) == 1 and "line 2" in skipped[0]


def test_a_failed_match_writes_no_file(tmp_path):
    bad = _write(tmp_path / "local.jsonl", [GOOD, "{bad"])
    out = tmp_path / "m.jsonl"
    from sharppower.measures.media import match

    with pytest.raises(InputError, match="line 2"):
        match(FIX / "wire.jsonl", bad, out, workers=1)
    assert not out.exists() and not list(tmp_path.glob(".m.jsonl*"))


def test_match_file_round_trip(tmp_path):
    matches = match_local(FIX / "wire.jsonl", FIX / "local.jsonl", MatchParams(min_shingles=5),
                          workers=1).matches
    write_matches(matches, tmp_path / "m.jsonl")
    back = read_matches(tmp_path / "m.jsonl")
    pd.testing.assert_frame_equal(back, matches, check_dtype=False)
    _write(tmp_path / "bad.jsonl", [json.dumps({"local_id": "k1", "wire_id": "x1"})])
    with pytest.raises(InputError, match="line 1, field 'containment'"):
        read_matches(tmp_path / "bad.jsonl")


def test_pieces_of_a_file_read_the_lines_the_file_reads(tmp_path):
    import inspect

    from sharppower.measures.media.corpus import iter_lines, line_pieces, piece_lines

    body = ('{"a": 1}\r\n\r\n  \n{"b": "x\u2028y"}\n{"c": "é"}\r{"d": 4}\n\n{"e": 5}\r\n'
            '{"f": "北京"}')
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(body.encode("utf-8"))
    want = [(n, line.rstrip("\n")) for n, line in iter_lines(path)]
    assert [n for n, _ in want] == [1, 4, 5, 6, 8, 9]
    assert inspect.isgenerator(line_pieces(path, 5))  # pieces handed out as they are cut
    for size in (1, 5, 17, 10**6):
        pieces = list(line_pieces(path, size))
        assert pieces[0][0] == 0 and pieces[-1][1] == len(body.encode("utf-8"))
        got = [pair for piece in pieces for pair in piece_lines(path, piece)]
        assert got == want, size


def test_fast_and_strict_parsing_give_the_same_article(monkeypatch):
    from sharppower.measures.media import corpus
    from sharppower.measures.media.corpus import COLUMNS, _fast, _parse_strict, parse_lines

    # nothing memoised yet: the fast path reads new dates and countries itself
    monkeypatch.setattr(corpus, "_DAYS", {})
    monkeypatch.setattr(corpus, "_COUNTRIES", {})

    lines = [
        json.dumps({"id": "a", "outlet": "o", "country": "Kenya", "date": "2022-01-05T10:00:00",
                    "text": "t", "url": "", "title": "T", "lang": "en"}),
        json.dumps({"id": 7, "outlet": "o", "country": "KEN", "date": "2022-01-05", "text": "t"}),
        json.dumps({"id": "b", "outlet": "o", "country": "KEN", "date": "2022-01-06", "text": "t",
                    "url": None, "extra": [1, 2]}),
    ]
    frame, _ = parse_lines(enumerate(lines * 2, start=1), "f")   # second round: memoised values
    strict = [_parse_strict(line, "f", n) for n, line in enumerate(lines * 2, start=1)]
    assert frame[COLUMNS].to_dict("records") == [{c: s[c] for c in COLUMNS} for s in strict]
    assert _fast(lines[1], 2, True) is None  # a numeric id takes the full checks (made a string)
    assert corpus._DAYS["2022-01-05T10:00:00"] == ("2022-01-05", 18997)
    assert corpus._COUNTRIES == {"Kenya": "KEN", "KEN": "KEN"}
    fresh = json.dumps({"id": "d", "outlet": "o", "country": "Republic of Uganda",
                        "date": "2023-03-01", "text": "t"})
    assert _fast(fresh, 9, True)[2:4] == ("UGA", "2023-03-01")
    # a value the fast path cannot read is not remembered, and the full checks name it
    for field, value, error in (("date", "05/01/2022", "not an ISO date"),
                                ("country", "Narnia", "unknown country"),
                                ("country", 404, "expected a string")):
        line = json.dumps({"id": "e", "outlet": "o", "country": "KEN", "date": "2022-01-06",
                           "text": "t", field: value})
        assert _fast(line, 3, True) is None
        with pytest.raises(InputError, match=f"line 3, field '{field}': {error}"):
            parse_lines([(3, line)], "f")
    assert "05/01/2022" not in corpus._DAYS and "Narnia" not in corpus._COUNTRIES
    bad = json.dumps({"id": "c", "outlet": "o", "country": "KEN", "date": "2022-01-06",
                      "text": "t", "url": 5})
    with pytest.raises(InputError, match="line 1, field 'url': expected a string"):
        parse_lines([(1, bad)], "f")


def test_workers_reading_pieces_name_the_right_line(tmp_path, monkeypatch):
    monkeypatch.setattr("sharppower.measures.media.engine_local.MIN_CHUNK_BYTES", 2_000)
    wire = [json.loads(line) for line in (FIX / "wire.jsonl").read_text("utf-8").splitlines()]
    lines = [json.dumps({**wire[i % len(wire)], "id": f"l{i}", "country": "KEN"})
             for i in range(300)]
    lines[250] = "{bad"
    path = _write(tmp_path / "local.jsonl", lines)
    with pytest.raises(InputError, match="line 251: not valid JSON"):
        match_local(FIX / "wire.jsonl", path, MatchParams(min_shingles=5), workers=2)
    skipped = match_local(FIX / "wire.jsonl", path, MatchParams(min_shingles=5), on_error="skip",
                          workers=2)
    assert skipped.local_articles == 299 and skipped.skipped == [
        s for s in skipped.skipped if "line 251" in s]
    assert len(skipped.skipped) == 1
