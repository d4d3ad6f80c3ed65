"""The build pipeline: order from what steps need, one fingerprint rule, and the "new source"
recipe (a connector module dropped into the connectors package is discovered and built)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from sharppower.codebook import load_codebook
from sharppower.countries import resolver
from sharppower.errors import InputError
from sharppower.pipeline import BuildContext, PipelineError, discover, order, run_steps
from sharppower.pipeline.fingerprints import step_fingerprint
from sharppower.sources import connectors, registry
from sharppower.steps import LoadResult, Step


def noop(ctx) -> list[LoadResult]:
    return []


def names(steps: list[Step]) -> list[str]:
    return [s.name for s in steps]


# -- order --------------------------------------------------------------------------------

def test_order_comes_from_needs_and_reads_not_list_position():
    steps = [  # declared last-first
        Step("summary", noop, needs=("scores",)),
        Step("scores", noop, reads=("observations",), writes=("scores",)),
        Step("late-source", noop, needs=("early-source",), writes=("observations",)),
        Step("early-source", noop, writes=("observations",)),
    ]
    assert names(order(steps)) == ["early-source", "late-source", "scores", "summary"]
    assert names(order(reversed(steps))) == names(order(steps))


def test_stages_run_whole_and_in_dependency_order():
    steps = [
        Step("b", noop, stage="sources", writes=("observations",)),
        Step("index", noop, reads=("observations",)),
        Step("a", noop, stage="sources", needs=("reference",), writes=("observations",)),
        Step("reference", noop),
        Step("c", noop, stage="sources", needs=("a",), writes=("observations",)),
    ]
    assert names(order(steps)) == ["reference", "a", "b", "c", "index"]


def test_in_a_stage_the_steps_parsed_here_go_before_those_parsed_ahead_in_workers():
    """Among the ready steps, one without a prefetch runs first (forked workers parse the
    others meanwhile), then by name; dependencies still come first."""
    def ahead(ctx):
        return None

    steps = [
        Step("alpha", noop, stage="sources", prefetch=ahead),
        Step("beta", noop, stage="sources"),
        Step("gamma", noop, stage="sources", needs=("alpha",)),
        Step("delta", noop, stage="sources", prefetch=ahead),
        Step("index", noop, needs=("gamma", "delta")),
    ]
    assert names(order(steps)) == ["beta", "alpha", "gamma", "delta", "index"]
    assert names(order(reversed(steps))) == names(order(steps))


def test_the_real_pipeline_loads_asd_before_euvsdisinfo_and_ends_with_the_profiles():
    ordered = names(order(discover.all_steps()))
    assert ordered[0] == "reference" and ordered[-2:] == ["index", "profiles"]
    assert ordered.index("asd-interference-tracker") < ordered.index("euvsdisinfo")
    steps = {s.name: s for s in discover.all_steps()}
    sources = [n for n in ordered if steps[n].stage_name == "sources"]
    parsed_here = [n for n in sources if steps[n].prefetch is None]
    assert sources[:len(parsed_here)] == parsed_here and "imf-dots" not in parsed_here
    assert ordered.index("countries") > ordered.index("reference")
    assert ordered.index("pew-global-attitudes") < ordered.index("opinion") < ordered.index("index")
    for name in ("evidence", "starter", "opinion", "imf-dots"):
        assert ordered.index(name) < ordered.index("index"), name


def test_a_cycle_is_an_error_naming_its_steps():
    steps = [Step("alpha", noop, needs=("beta",)), Step("beta", noop, needs=("gamma",)),
             Step("gamma", noop, needs=("alpha",)), Step("delta", noop)]
    with pytest.raises(PipelineError, match="cycle") as err:
        order(steps)
    assert all(name in str(err.value) for name in ("alpha", "beta", "gamma"))
    assert "delta" not in str(err.value)


def test_an_unknown_need_and_a_duplicate_name_are_errors_naming_the_step():
    with pytest.raises(PipelineError, match="step 'index' needs 'scorse', which no step declares"):
        order([Step("index", noop, needs=("scorse",))])
    with pytest.raises(PipelineError, match="step 'a' is declared twice"):
        order([Step("a", noop), Step("a", noop)])


# -- fingerprints -------------------------------------------------------------------------

def _module(tmp_path: Path, monkeypatch, name: str, body: str):
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(body), "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop(name, None)
    return importlib.import_module(name), path


def test_fingerprint_changes_with_code_inputs_and_state_and_not_otherwise(db, conf, tmp_path,
                                                                           monkeypatch):
    module, path = _module(tmp_path, monkeypatch, "pipeline_step_code", """
        def run(ctx):
            return []
        """)
    ctx = BuildContext(conf, db, load_codebook(), resolver())
    state = {"version": 1}
    step = Step("derived", module.run, needs=("source",), state=lambda c: state["version"])
    ctx.fingerprints["source"] = "input-1"
    first = step_fingerprint(ctx, step, ["source"])
    assert step_fingerprint(ctx, step, ["source"]) == first  # nothing changed
    assert step_fingerprint(ctx, replace(step, stage="other"), ["source"]) == first

    ctx.fingerprints["source"] = "input-2"  # an input's fingerprint changed
    assert step_fingerprint(ctx, step, ["source"]) != first
    ctx.fingerprints["source"] = "input-1"

    state["version"] = 2  # what it reads outside the pipeline changed
    assert step_fingerprint(ctx, step, ["source"]) != first
    state["version"] = 1

    path.write_text(path.read_text("utf-8") + "\n# a change to the step's code\n", "utf-8")
    assert step_fingerprint(ctx, step, ["source"]) != first


def test_an_unchanged_step_is_skipped_with_its_last_results_and_force_runs_it(db, conf):
    calls = []

    def count(ctx):
        calls.append(1)
        return [LoadResult("counted", "loaded", rows=7, countries=3, years=(2000, 2010),
                           warnings=["one warning"])]

    version = {"v": 1}
    steps = [Step("source", noop, writes=("observations",), state=lambda c: version["v"]),
             Step("counted", count, reads=("observations",))]
    ctx = BuildContext(conf, db, load_codebook(), resolver())
    assert run_steps(ctx, steps)[0].status == "loaded"
    again, = run_steps(BuildContext(conf, db, load_codebook(), resolver()), steps)
    assert (again.status, again.rows, again.countries, again.years, again.warnings) == (
        "unchanged", 7, 3, (2000, 2010), ["one warning"])
    assert len(calls) == 1
    version["v"] = 2  # the input's state changed: its dependant runs again
    assert run_steps(BuildContext(conf, db, load_codebook(), resolver()), steps)[0].status == "loaded"
    assert run_steps(BuildContext(conf, db, load_codebook(), resolver(), force=True),
                     steps)[0].status == "loaded"
    assert len(calls) == 3


def test_a_build_reads_every_step_s_last_run_in_one_query(db, conf):
    """The steps' last runs are read once per build (`fingerprints.last_runs`), not once or
    twice per step; a step that runs is its own last run from then on."""
    import sqlalchemy as sa

    version = {"v": 1}

    def one(name):
        return lambda ctx: [LoadResult(name, "loaded", rows=1)]

    steps = [Step("a", one("a"), writes=("t_a",), state=lambda c: version["v"]),
             Step("b", one("b"), reads=("t_a",), writes=("t_b",)),
             Step("c", one("c"), reads=("t_b",)), Step("d", one("d"))]
    reads: list[str] = []

    def seen(conn, cursor, statement, *args):
        if "build_log" in statement and statement.lstrip().upper().startswith("SELECT"):
            reads.append(statement)

    first = BuildContext(conf, db, load_codebook(), resolver())
    assert [r.status for r in run_steps(first, steps)] == ["loaded"] * 4
    assert {k: v[0] for k, v in first.last_runs.items()} == first.fingerprints
    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        again = run_steps(BuildContext(conf, db, load_codebook(), resolver()), steps)
        assert [r.status for r in again] == ["unchanged"] * 4
        assert len(reads) == 1
        version["v"] = 2  # a's state changed: a, b and c run again, d does not
        reads.clear()
        third = run_steps(BuildContext(conf, db, load_codebook(), resolver()), steps)
        assert {r.source: r.status for r in third} == {
            "a": "loaded", "b": "loaded", "c": "loaded", "d": "unchanged"}
        assert len(reads) == 1 + 3  # the build's one read, and each recorded run read back
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)


def test_a_failing_step_stops_its_dependants_only_then_raises(db, conf):
    ran = []

    def fails(ctx):
        raise InputError("bad.csv", "not a number", row=3, field="value")

    def record(name):
        return lambda ctx: ran.append(name) or [LoadResult(name, "loaded")]

    steps = [Step("bad", fails, writes=("observations",)),
             Step("good", record("good"), writes=("observations",)),
             Step("after-good", record("after-good"), needs=("good",)),
             Step("index", record("index"), reads=("observations",))]
    with pytest.raises(InputError, match="bad.csv, row 3, field 'value'"):
        run_steps(BuildContext(conf, db, load_codebook(), resolver()), steps)
    assert ran == ["good", "after-good"]


# -- the "new source" recipe ----------------------------------------------------------------

CONNECTOR = '''
"""A tiny test source: one CSV of scores by country and year."""

import pandas as pd

from sharppower.sources.base import Source, SourceFile

FILE = "tiny.csv"


def parse(snapshot, res=None):
    df = pd.read_csv(snapshot.path(FILE))
    return df.assign(target=[res.resolve(n) for n in df["country"]], source_file=FILE,
                     source_row=[str(i + 2) for i in range(len(df))])


SOURCE = Source(
    name="tiny-test-source", title="Tiny test source", publisher="sharppower tests",
    homepage="https://example.org/tiny", licence="CC0", citation="Tiny test source (tests).",
    files=(SourceFile(FILE, "https://example.org/tiny.csv", "tiny/tiny.csv"),), parse=parse)
'''


@pytest.fixture
def tiny_connector(tmp_path, monkeypatch):
    """A connector module written into a folder added to the connectors package's path."""
    folder = tmp_path / "more_connectors"
    folder.mkdir()
    (folder / "tiny_test_source.py").write_text(CONNECTOR, "utf-8")
    monkeypatch.setattr(connectors, "__path__", [*connectors.__path__, str(folder)])
    yield "sharppower.sources.connectors.tiny_test_source"
    sys.modules.pop("sharppower.sources.connectors.tiny_test_source", None)


def _codebook_with_tiny_indicator(tmp_path):
    from importlib import resources
    data = yaml.safe_load(resources.files("sharppower.codebook").joinpath("v1.yaml").read_text("utf-8"))
    base = next(i for i in data["indicators"] if i["code"] == "res_fh_civil_liberties")
    data["indicators"].append(dict(base, code="res_tiny_score", name="Tiny score",
                                   source="tiny-test-source", variable="score"))
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    return load_codebook(path)


def test_a_connector_dropped_into_the_package_is_discovered_and_built(db, conf, tmp_path,
                                                                      tiny_connector, monkeypatch):
    assert tiny_connector in registry.connector_modules()
    sources = registry.discover()
    assert "tiny-test-source" in sources
    monkeypatch.setattr(registry, "SOURCES", sources)  # what a fresh import would hold
    assert "tiny-test-source" in names(discover.all_steps())
    mirror = tmp_path / "mirror"
    (mirror / "tiny").mkdir(parents=True)
    (mirror / "tiny" / "tiny.csv").write_text(
        "country,year,score\nKenya,2020,41\nChile,2020,55\nKenya,2021,38\n", "utf-8")
    ctx = BuildContext(replace(conf, mirror=mirror), db, _codebook_with_tiny_indicator(tmp_path),
                       resolver())
    first = run_steps(ctx, names=["reference", "tiny-test-source"])
    assert [(r.source, r.status, r.rows) for r in first] == [
        ("reference", "loaded", first[0].rows), ("tiny-test-source", "loaded", 3)]
    obs = db.read("SELECT target, year, value, source_row FROM observations "
                  "WHERE indicator = 'res_tiny_score' ORDER BY target, year")
    assert obs.values.tolist() == [["CHL", 2020, 55.0, "3"], ["KEN", 2020, 41.0, "2"],
                                   ["KEN", 2021, 38.0, "4"]]
    again = run_steps(ctx, names=["reference", "tiny-test-source"])
    assert [r.status for r in again] == ["unchanged", "unchanged"]


def test_a_source_declared_twice_is_an_error(tmp_path, monkeypatch):
    folder = tmp_path / "dupes"
    folder.mkdir()
    (folder / "zz_second_wgi.py").write_text(
        "from sharppower.sources.connectors.wgi import SOURCE\n", "utf-8")
    monkeypatch.setattr(connectors, "__path__", [*connectors.__path__, str(folder)])
    try:
        with pytest.raises(Exception, match="source 'wgi' is declared twice"):
            registry.discover()
    finally:
        sys.modules.pop("sharppower.sources.connectors.zz_second_wgi", None)


def test_the_pipeline_imports_the_web_pages_only_inside_the_profiles_step():
    code = ("import sys; from sharppower.pipeline import discover, stage_names; "
            "discover.all_steps(); stage_names(); "
            "print(sorted(m for m in sys.modules if m.startswith('sharppower.web')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert out.stdout.strip() == "[]"


def test_each_source_s_codebook_rows_are_its_indicators_split_once_per_codebook(tmp_path):
    """`codebook_rows` (part of every source step's state) gives a source's indicators as
    reading them from the codebook does; a new codebook is split again."""
    from sharppower.sources.load import codebook_rows
    from sharppower.store.database import frame_records

    book = load_codebook()
    columns = ["code", "variable", "unit", "actors"]
    table = book.indicators
    for source in [*sorted(set(table["source"])), "no-such-source"]:
        assert codebook_rows(book, source) == frame_records(table[table["source"] == source][columns])
    other = replace(book, indicators=book.indicators.assign(
        unit=book.indicators["unit"].where(book.indicators["source"] != "wgi", "changed")))
    assert {r["unit"] for r in codebook_rows(other, "wgi")} == {"changed"}
    assert {r["unit"] for r in codebook_rows(book, "wgi")} != {"changed"}
