"""`--engine spark`: the same matching on PySpark (pinned pyspark==4.3.0), for corpora of
10^7-10^8 articles on a cluster.

Both corpora are read by the executors (`textFile`, gzip by the `.gz` suffix), parsed
with the same `parse_line` (line numbers from `zipWithIndex`), featurised per partition
with the same `featurise`, and joined on LSH band keys; candidates are then joined with
the two articles' features and verified and attributed with the same functions as the
local engine, so both engines give identical matches. Only error messages (the first
malformed line), counts and the matches reach the driver, never the corpus.

On a cluster: install sharppower on the nodes (`pip install` of a wheel built for their
platform with `pip wheel .`; the media kernels are a compiled extension, which a
`--py-files` zip cannot load) and run

    spark-submit --master yarn --deploy-mode client \\
        --conf spark.executorEnv.PYTHONHASHSEED=0 \\
        $(python -c 'import sharppower.measures.media.spark_main as m; print(m.__file__)') \\
        --wire hdfs:///corpus/wire.jsonl.gz --local hdfs:///corpus/local/*.jsonl.gz \\
        --out matches.jsonl
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator

import pandas as pd

from sharppower.errors import InputError
from sharppower.measures.media.attribution import Rules, load_rules
from sharppower.measures.media.corpus import parse_line
from sharppower.measures.media.engine_local import MatchResult
from sharppower.measures.media.features import featurise
from sharppower.measures.media.matcher import MATCH_COLUMNS, match_row, sort_matches
from sharppower.measures.media.params import MatchParams
from sharppower.measures.media.verify import accepted, in_window, overlap_scores


def spark_session(master: str = "local[2]", app: str = "sharppower-media"):
    """A SparkSession (local mode by default; spark-submit's own master when submitted)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app).config("spark.ui.enabled", "false")
    builder = builder.config("spark.sql.shuffle.partitions", "8").config(
        "spark.ui.showConsoleProgress", "false")
    if not master:
        return builder.getOrCreate()
    # Local mode: the Python workers run this interpreter (the one with sharppower).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return builder.master(master).getOrCreate()


def _parse(rows: Iterable[tuple[str, int]], file: str, country_required: bool) -> Iterator:
    for text, index in rows:
        if not text.strip():
            continue
        try:
            yield "ok", parse_line(text, file, index + 1, country_required)
        except InputError as exc:
            yield "error", (exc.file, exc.detail, exc.row, exc.field)


def read_articles(sc, path: str, on_error: str, country_required: bool):
    """RDD of article dicts; raises the first malformed line's InputError (on_error=fail)."""
    parsed = sc.textFile(str(path)).zipWithIndex().mapPartitions(
        lambda rows: _parse(rows, str(path), country_required)).cache()
    errors = parsed.filter(lambda r: r[0] == "error").map(lambda r: r[1])
    if on_error == "fail":
        first = errors.takeOrdered(1, key=lambda e: int(str(e[2]).split()[-1]))
        if first:
            raise InputError(first[0][0], first[0][1], row=first[0][2], field=first[0][3])
    articles = parsed.filter(lambda r: r[0] == "ok").map(lambda r: r[1])
    dup = articles.map(lambda a: (a["id"], a["line"])).groupByKey().filter(
        lambda kv: len(kv[1]) > 1).take(1)
    if dup:
        lines = sorted(dup[0][1])
        raise InputError(str(path), f"id {dup[0][0]!r} appears on lines {', '.join(map(str, lines))}",
                         row=f"line {lines[1]}", field="id")
    skipped = [] if on_error == "fail" else errors.map(
        lambda e: str(InputError(e[0], e[1], row=e[2], field=e[3]))).take(1000)
    return articles, skipped


def _features(articles: Iterable[dict], params: MatchParams) -> Iterator[tuple]:
    batch: list[dict] = []
    for art in articles:
        batch.append(art)
        if len(batch) == params.batch:
            yield from _featurise_batch(batch, params)
            batch = []
    if batch:
        yield from _featurise_batch(batch, params)


def _featurise_batch(batch: list[dict], params: MatchParams) -> Iterator[tuple]:
    feats = featurise([a["text"] for a in batch], params)
    for i, art in enumerate(batch):
        keys = [int(k) for k in feats.keys[i]] if feats.valid[i] else []
        yield art["id"], (art, feats.shingle_set(i), keys)


def _verify(pair, params: MatchParams, rules: Rules):
    (wire, wire_set), (local, local_set) = pair
    if not in_window(local["day"], wire["day"], params):
        return []
    containment, jaccard = overlap_scores(wire_set, local_set)
    if not accepted(containment, jaccard, params):
        return []
    return [match_row(rules, local, wire, containment, jaccard)]


def match_spark(spark, wire_path: str, local_path: str, params: MatchParams | None = None,
                rules: Rules | None = None, on_error: str = "fail") -> MatchResult:
    params, rules = params or MatchParams(), rules or load_rules()
    sc = spark.sparkContext
    wire, skipped = read_articles(sc, wire_path, on_error, False)
    local, more = read_articles(sc, local_path, on_error, True)
    wf = wire.mapPartitions(lambda a: _features(a, params)).cache()
    lf = local.mapPartitions(lambda a: _features(a, params)).cache()
    wb = wf.flatMap(lambda kv: [(k, kv[0]) for k in kv[1][2]])
    lb = lf.flatMap(lambda kv: [(k, kv[0]) for k in kv[1][2]])
    pairs = lb.join(wb).map(lambda kv: kv[1]).distinct()          # (local id, wire id)
    by_wire = pairs.map(lambda p: (p[1], p[0])).join(wf.mapValues(lambda f: (f[0], f[1])))
    by_local = by_wire.map(lambda kv: (kv[1][0], kv[1][1])).join(lf.mapValues(lambda f: (f[0], f[1])))
    matches = by_local.flatMap(lambda kv: _verify(kv[1], params, rules))
    frame = pd.DataFrame(list(matches.toLocalIterator()), columns=MATCH_COLUMNS)
    result = MatchResult(sort_matches(frame), wire.count(), local.count(), skipped + more)
    for rdd in (wf, lf):
        rdd.unpersist()
    return result
