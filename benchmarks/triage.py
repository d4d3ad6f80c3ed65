"""Document triage: the full grouped cross-validated report (folds grouped by target
country x start year) for every feature kind in both taxonomies, and classification
throughput of the chosen (default) model in documents per second (goal: >= 200).

The training set is the ledger's accepted records: the store given with --db, or the
mirror's ASD incidents loaded into a temporary SQLite store.

    SHARPPOWER_MIRROR=../shared/data .venv/bin/python benchmarks/triage.py [--folds 5]
        [--kinds tfidf,tfidf_char,tfidf_wordllama] [--kinds-none] [--db URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from sharppower.analysis.triage_queue import training_frame
from sharppower.measures.triage import DEFAULT_KIND, TAXONOMIES, TriageModel, cross_validate
from sharppower.measures.triage import model as model_module
from sharppower.measures.triage.features import FEATURES
from sharppower.store import Database

GOAL_DOCS_PER_SECOND = 200


def asd_store(folder: Path) -> Database:
    from sharppower.build import load_snapshot
    from sharppower.codebook import load_codebook
    from sharppower.countries import resolver
    from sharppower.settings import Settings
    from sharppower.sources.load import LoadContext
    from sharppower.sources.registry import SOURCES
    from sharppower.sources.snapshot import pull

    mirror = os.environ.get("SHARPPOWER_MIRROR")
    if not mirror:
        sys.exit("set SHARPPOWER_MIRROR (or pass --db with a built store)")
    db = Database(f"sqlite:///{folder / 'store.db'}")
    db.upgrade()
    conf = Settings(data_dir=folder / "data", database_url="sqlite://", mirror=Path(mirror))
    source = SOURCES["asd-interference-tracker"]
    snap, _ = pull(conf, source)
    load_snapshot(LoadContext(db, load_codebook(), resolver(), force=True), source, snap)
    return db


def print_report(r: dict) -> None:
    print(f"\n== {r['taxonomy']} / {r['kind']}: {r['folds']} folds grouped by {r['grouping']}, "
          f"{r['n_labelled']} labelled of {r['n']} ({r['seconds']} s)")
    print(f"{'label':32} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>7}")
    for name, c in r["per_class"].items():
        print(f"{name:32} {c['precision']:9.3f} {c['recall']:7.3f} {c['f1']:6.3f} {c['support']:7d}")
    print(f"macro-F1 {r['macro_f1']:.3f}  micro-F1 {r['micro_f1']:.3f}  actor accuracy "
          f"{r['actor_accuracy']:.3f}  target precision {r['target_precision']:.3f}  "
          f"target recall {r['target_recall']:.3f}")
    folds = r["fold_macro_f1"]
    print(f"macro-F1 of each outer fold: {' '.join(f'{f:.3f}' for f in folds)} (mean "
          f"{statistics.mean(folds):.3f}, sd {statistics.stdev(folds) if len(folds) > 1 else 0:.3f})")


def throughput(frame, kind: str) -> tuple[float, float]:
    """Documents per second of wall time and per CPU second (one thread; less sensitive to
    other work on the machine)."""
    model = TriageModel("codebook", kind).fit(frame)
    docs = frame[["id", "title", "text"]]
    model_module._analyse.cache_clear()  # no help from the texts analysed while fitting
    start, cpu = time.perf_counter(), time.process_time()
    model.predict(docs)
    return len(docs) / (time.perf_counter() - start), len(docs) / (time.process_time() - cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--kinds", default=",".join(FEATURES))
    parser.add_argument("--db", default=None)
    parser.add_argument("--kinds-none", dest="cv", action="store_false",
                        help="no cross-validation: throughput only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, threadpool_limits(1):
        db = Database(args.db) if args.db else asd_store(Path(tmp))
        frame = training_frame(db)
        print(f"training set: {len(frame)} accepted records")
        best = {}
        for taxonomy in TAXONOMIES if args.cv else ():
            for kind in args.kinds.split(","):
                report = cross_validate(frame, taxonomy, kind, args.folds)
                print_report(report)
                best.setdefault(taxonomy, []).append((report["macro_f1"], kind))
        for taxonomy, scores in best.items():
            top = max(scores)
            print(f"\nbest macro-F1 in {taxonomy}: {top[1]} ({top[0]:.3f}); default model: "
                  f"{DEFAULT_KIND}")
        rate, cpu_rate = throughput(frame, DEFAULT_KIND)
        print(f"\nthroughput ({DEFAULT_KIND}, classify incl. cleaning, language, gazetteer): "
              f"{rate:.0f} documents/s, {cpu_rate:.0f} per CPU second "
              f"(goal >= {GOAL_DOCS_PER_SECOND}; wall time suffers from other work on the machine)")


if __name__ == "__main__":
    main()
