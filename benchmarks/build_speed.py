"""Benchmark (issue 26): a full mirror build and a no-change build, as ratios to the goals.

For each backend (SQLite in a temporary folder; PostgreSQL when SHARPPOWER_TEST_POSTGRES_URL
is set, in a fresh database dropped afterwards) it runs the `sharppower build` command in a
child process, as a user would, twice:

- full build: wall clock of the command (goal: under 90 s, the 60 s of everything else and
  the 30 s of the measurement model's fits), its per-stage times (the command's `Stages:`
  line), and the same less the whole measurement model (the index summary's
  `measurement_seconds`: what loading JAX and the model, its data, the fits, the
  summaries, the overlay and its stored scores add to the wall clock; where the fits are
  made in a worker beside the Monte Carlo, only the wait for them and what follows: the
  issue asks for "everything but the measurement model"). Goal: under 60 s. Where the
  fits are made in the build's process, also the build less the fits alone
  (`latent_fits.seconds` summed).
- no-change build: the same command again, nothing changed. Goal: under 2 s wall clock
  (interpreter start, imports, fingerprints, nothing rebuilt).

Prints the machine's load average before and after (2 cores shared: the figures move
with it), the seconds a 20-million-step Python loop takes before and after (the pace of
the machine at that moment: the same machine kind has run it in 1.0 s and in 2.0 s within
an hour) and, on a virtual machine, the CPU time the hypervisor took for other machines
during the full build (/proc/stat's steal: the figures move with it too). Prints numbers and ratios (time / goal; below 1 meets the goal), never pass/fail.

    SHARPPOWER_MIRROR=../shared/data python benchmarks/build_speed.py [--no-postgres] [--sqlite-only]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

FULL_GOAL = 60.0
MODEL_GOAL = 30.0  # the measurement model's fits, on top of FULL_GOAL
NO_CHANGE_GOAL = 2.0
CPU_SECONDS = 0.0
STOLEN: float | None = None  # CPU seconds stolen by the hypervisor during the last command
COMMAND = [sys.executable, "-c", "from sharppower.cli import run; run()", "build"]  # the console script


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def pace() -> float:
    """Seconds a 20-million-step Python loop takes here now (one core's pace)."""
    started = time.perf_counter()
    total = 0
    for i in range(20_000_000):
        total += i
    return time.perf_counter() - started


def stolen() -> float | None:
    """CPU seconds the hypervisor gave other machines so far (/proc/stat's steal column,
    all cores; None off Linux): time a virtual machine's work waited for the host."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = f.readline().split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def run_build(env: dict[str, str]) -> tuple[float, dict[str, float], str]:
    """Wall seconds, per-stage seconds and output of one `build` command; also sets
    CPU_SECONDS (user + system time of the child: what the load average does not move)."""
    global CPU_SECONDS, STOLEN
    steal = stolen()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(COMMAND, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU_SECONDS = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    STOLEN = None if steal is None else stolen() - steal
    if out.returncode != 0:
        raise SystemExit(f"build failed ({out.returncode}):\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    text = " ".join(out.stdout.split())
    stages = {name: float(s) for name, s in
              re.findall(r"([a-z_-]+) (\d+\.\d) s", text.split("Stages:", 1)[-1].split("warning")[0])}
    return seconds, stages, text


def latent_seconds(url: str) -> tuple[float, float, tuple[float, str] | None]:
    """The latent model's fits (seconds summed over actors and pillars), the whole
    measurement model's share of the build's wall clock (index summary
    `measurement_seconds`: loading it, its data, the fits, summaries, overlay and stored
    scores; when a worker made the fits beside the Monte Carlo, only the wait for it and
    what follows) and the workers' own time with where they ran
    (`measurement_worker_seconds`, `measurement_workers`; None when the fits were made in
    the build's process); (0, 0, None) without the model."""
    import json

    import sqlalchemy as sa

    from sharppower.store import Database

    db = Database(url)
    try:
        if not sa.inspect(db.engine).has_table("latent_fits"):
            return 0.0, 0.0, None  # a store without the latent tables: no fit
        fits = float(db.scalar("SELECT COALESCE(SUM(seconds), 0) FROM latent_fits") or 0.0)
        summary = json.loads(db.scalar("SELECT summary FROM index_runs ORDER BY id DESC LIMIT 1")
                             or "{}")
        whole = float(summary.get("measurement_seconds", fits))
        worker = summary.get("measurement_worker_seconds")
        return fits, whole, None if worker is None else (
            worker, summary.get("measurement_workers") or "beside the Monte Carlo")
    finally:
        db.dispose()


def bytecode_note() -> str:
    """Whether the package's bytecode is compiled (`make install` does it): without it, and
    with PYTHONDONTWRITEBYTECODE set, every command compiles the package again."""
    import sharppower

    cached = Path(sharppower.__file__).parent / "__pycache__"
    compiled = cached.is_dir() and any(cached.glob("*.pyc"))
    writes = not os.environ.get("PYTHONDONTWRITEBYTECODE")
    return ("package bytecode " + ("compiled" if compiled else "not compiled yet")
            + ("" if writes else " (PYTHONDONTWRITEBYTECODE is set: nothing is cached by a run)"))


def bench(name: str, url: str, data_dir: Path) -> None:
    env = dict(os.environ, SHARPPOWER_DATABASE_URL=url, SHARPPOWER_DATA_DIR=str(data_dir))
    print(f"[{name}] load average before: {load()}; a 20-million-step Python loop: "
          f"{pace():.2f} s; {bytecode_note()}")
    full, stages, _ = run_build(env)
    latent, model, worker = latent_seconds(url)
    print(f"[{name}] full build: {full:.1f} s wall, {CPU_SECONDS:.1f} s CPU"
          + ("" if STOLEN is None else f", {STOLEN:.1f} s CPU stolen by the hypervisor")
          + "; stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in stages.items()))
    print(f"[{name}] full build with the measurement model: {full:.1f} s = "
          f"{full / (FULL_GOAL + MODEL_GOAL):.2f} x the {FULL_GOAL + MODEL_GOAL:.0f} s of both goals")
    if worker is None:
        without = full - latent
        print(f"[{name}] latent model fits: {latent:.1f} s (in the build's process); full build "
              f"without them: {without:.1f} s = {without / FULL_GOAL:.2f} x the {FULL_GOAL:.0f} s goal")
    else:
        seconds, where = worker
        print(f"[{name}] latent model fits: {latent:.1f} s, made with the rest of the model in "
              f"forked workers {where} ({seconds:.1f} s there); what the fits add to the "
              "wall clock is in the next line")
    print(f"[{name}] the whole measurement model (loading it, its data, fits, summaries, "
          f"overlay, stored scores) adds {model:.1f} s to the wall clock; full build without "
          f"it: {full - model:.1f} s = {(full - model) / FULL_GOAL:.2f} x the {FULL_GOAL:.0f} s goal")
    again, stages2, _ = run_build(env)
    print(f"[{name}] no-change build command: {again:.2f} s wall, {CPU_SECONDS:.2f} s CPU (work: "
          f"{sum(stages2.values()):.2f} s) = {again / NO_CHANGE_GOAL:.2f} x the "
          f"{NO_CHANGE_GOAL:.0f} s goal")
    print(f"[{name}] load average after: {load()}; a 20-million-step Python loop: "
          f"{pace():.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-change-only", metavar="URL",
                        help="only the no-change command, on the store at URL (built before)")
    args = parser.parse_args()
    if args.no_change_only:
        env = dict(os.environ, SHARPPOWER_DATABASE_URL=args.no_change_only)
        times = []
        for _ in range(3):
            times.append((run_build(env)[0], CPU_SECONDS))
        wall, cpu = sorted(times)[1]
        print(f"load average: {load()}; no-change build command (median of 3): {wall:.2f} s "
              f"wall, {cpu:.2f} s CPU = {wall / NO_CHANGE_GOAL:.2f} x the {NO_CHANGE_GOAL:.0f} s goal")
        return 0
    if not os.environ.get("SHARPPOWER_MIRROR"):
        print("set SHARPPOWER_MIRROR (the mirrored public data)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        bench("sqlite", f"sqlite:///{tmp}/store.db", Path(tmp) / "data-sqlite")
        pg = os.environ.get("SHARPPOWER_TEST_POSTGRES_URL")
        if pg and not args.no_postgres:
            import sqlalchemy as sa

            from sharppower.store.database import normalise_url

            admin = sa.create_engine(normalise_url(pg), isolation_level="AUTOCOMMIT")
            name = f"sharppower_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as conn:
                conn.execute(sa.text(f"CREATE DATABASE {name}"))
            try:
                url = pg.rsplit("/", 1)[0] + f"/{name}"
                bench("postgresql", url, Path(tmp) / "data-postgresql")
            finally:
                with admin.connect() as conn:
                    conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
