"""Media reuse: end-to-end throughput and peak memory of the local engine against a
datasketch MinHash + MinHashLSH pipeline, and the Spark engine's time, on the same
synthetic corpus (sharppower media synth) at 10k and 100k local articles (1M with --million).

End to end = reading the JSON Lines, shingling, signatures, LSH candidates, verification
on the shingle sets with the date window (and, for sharppower, attribution). `seconds`
times the engine call after the imports (for every engine alike); for the local engine it
includes loading its compiled kernels (numba's cache, once per process). `process s` is
the whole child process (interpreter start, imports, the work), less the recall scoring. The
reference does it the usual pure-Python way: regex words, 5-word shingle strings,
datasketch MinHash(num_perm=128).update_batch, MinHashLSH(params=(64, 2)) — the same
banding as sharppower's default — and Python set containment. Each engine runs in its own
process; peak memory is that process's maximum resident set (the local engine's worker
processes, when it starts any, are reported apart when the OS accounts them). Recall is on reprints keeping at least half of the wire text.
Prints numbers and ratios, never pass/fail.

At 1,000,000 (--million) the datasketch reference and the Spark engine are not run (on
this 2-core machine they would take more than an hour); the reference's line is then an
extrapolation of its 100k throughput, marked as such.

    python benchmarks/media_reuse.py [--sizes 10000 100000] [--million] [--no-spark] [--no-datasketch]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

WORD = re.compile(r"\w+")


def peak_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def recall_precision(truth_path: str, pairs: set[tuple[str, str]]) -> tuple[float, float]:
    import pandas as pd

    from sharppower.measures.media.evaluate import evaluate

    truth = pd.read_json(truth_path, lines=True)
    matches = pd.DataFrame(sorted(pairs), columns=["local_id", "wire_id"]).assign(attribution="")
    row = evaluate(truth, matches).set_index("group")
    return float(row.loc["kept>=0.5", "recall"]), float(row.loc["all", "precision"])


def run_local(wire: str, local: str) -> dict:
    from sharppower.measures.media.engine_local import default_workers, match_local

    workers = default_workers(local)
    started = time.perf_counter()
    result = match_local(wire, local, workers=workers)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "pairs": set(zip(result.matches["local_id"], result.matches["wire_id"])),
            "peak_mb": peak_mb(), "worker_peak_mb": peak_mb(resource.RUSAGE_CHILDREN),
            "workers": workers}


def run_spark(wire: str, local: str) -> dict:
    from sharppower.measures.media.engine_spark import match_spark, spark_session

    t0 = time.perf_counter()
    spark = spark_session("local[2]")
    spark.sparkContext.setLogLevel("ERROR")
    start = time.perf_counter() - t0
    started = time.perf_counter()
    result = match_spark(spark, wire, local)
    seconds = time.perf_counter() - started
    spark.stop()
    return {"seconds": seconds, "session_seconds": start, "peak_mb": peak_mb(),
            "pairs": set(zip(result.matches["local_id"], result.matches["wire_id"]))}


def _docs(path: str):
    with open(path, encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            words = WORD.findall(a["text"].lower())
            shingles = {" ".join(words[i:i + 5]) for i in range(len(words) - 4)}
            yield a["id"], date.fromisoformat(a["date"]).toordinal(), shingles


def _minhash(shingles):
    from datasketch import MinHash

    m = MinHash(num_perm=128)
    m.update_batch([s.encode("utf-8") for s in shingles])
    return m


def run_datasketch(wire: str, local: str) -> dict:
    from datasketch import MinHashLSH

    started = time.perf_counter()
    lsh, wires = MinHashLSH(num_perm=128, params=(64, 2)), {}
    for wid, day, shingles in _docs(wire):
        if len(shingles) >= 10:
            wires[wid] = (day, shingles)
            lsh.insert(wid, _minhash(shingles))
    pairs = set()
    for lid, day, shingles in _docs(local):
        if len(shingles) < 10:
            continue
        for wid in lsh.query(_minhash(shingles)):
            wday, wset = wires[wid]
            if -1 <= day - wday <= 30 and len(wset & shingles) / len(wset) >= 0.3:
                pairs.add((lid, wid))
    return {"seconds": time.perf_counter() - started, "pairs": pairs, "peak_mb": peak_mb()}


ENGINES = {"local": run_local, "spark": run_spark, "datasketch": run_datasketch}


def child(engine: str, wire: str, local: str, truth: str) -> None:
    out = ENGINES[engine](wire, local)
    started = time.perf_counter()
    out["recall"], out["precision"] = recall_precision(truth, out.pop("pairs"))
    out["scoring_seconds"] = time.perf_counter() - started
    print(json.dumps(out))


def measure(engine: str, paths: dict) -> dict:
    cmd = [sys.executable, __file__, "--child", engine, str(paths["wire"]), str(paths["local"]),
           str(paths["truth"])]
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["process_seconds"] = time.perf_counter() - started - out.pop("scoring_seconds")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--million", action="store_true", help="also 1,000,000 local articles")
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--no-datasketch", action="store_true")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    from sharppower.measures.media.synth import synth_corpus

    engines = ["local"] + ([] if args.no_datasketch else ["datasketch"]) + ([] if args.no_spark else ["spark"])
    sizes = args.sizes + ([1_000_000] if args.million else [])
    print(f"{'local articles':>14} {'engine':>10} {'seconds':>8} {'docs/s':>9} {'process s':>9} "
          f"{'peak MB':>8} {'recall':>6} {'precision':>9}  notes")
    rates: dict[str, float] = {}
    for n in sizes:
        run = engines if n < 1_000_000 else ["local"]
        with tempfile.TemporaryDirectory() as tmp:
            paths = synth_corpus(Path(tmp), n_local=n, n_wire=max(100, n // 10), seed=1)
            results = {e: measure(e, paths) for e in run}
        for engine, r in results.items():
            note = ""
            if engine == "local":
                note = f"{r['workers']} process(es)"
                if r["worker_peak_mb"]:
                    note += f", largest worker {r['worker_peak_mb']:.0f} MB"
            if engine == "spark":
                note = f"+{r['session_seconds']:.0f} s session start; {1e3 * r['seconds'] / n:.2f} ms/doc"
            rates[engine] = n / r["seconds"]
            print(f"{n:>14,} {engine:>10} {r['seconds']:>8.1f} {n / r['seconds']:>9.0f} "
                  f"{r['process_seconds']:>9.1f} {r['peak_mb']:>8.0f} {r['recall']:>6.3f} "
                  f"{r['precision']:>9.3f}  {note}")
        if "datasketch" in results:
            ratio = results["datasketch"]["seconds"] / results["local"]["seconds"]
            whole = results["datasketch"]["process_seconds"] / results["local"]["process_seconds"]
            print(f"{'':>14} local engine: {ratio:.1f}x datasketch's throughput "
                  f"({whole:.1f}x on whole processes)")
        elif n >= 1_000_000 and "datasketch" in rates:
            seconds = n / rates["datasketch"]
            print(f"{n:>14,} {'datasketch':>10} {seconds:>8.0f} {rates['datasketch']:>9.0f}"
                  f"  NOT RUN: extrapolated from its throughput at the previous size; "
                  f"local engine ~{seconds / results['local']['seconds']:.0f}x that")
        if n >= 1_000_000 and "spark" in engines:
            print(f"{'':>14} spark: not run at 1,000,000 on this machine (local[2] would take "
                  "more than the run's time budget)")


if __name__ == "__main__":
    main()
