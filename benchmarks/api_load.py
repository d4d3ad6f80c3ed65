"""Load on the country-profile JSON route: 20 concurrent clients on 127.0.0.1 for a bounded
time; prints p50/p95/p99 latency and throughput (goal: p95 under 50 ms).

    python benchmarks/api_load.py                      # demo store (starter data)
    python benchmarks/api_load.py --db sqlite:///PATH  # a built store (e.g. the mirror)
    python benchmarks/api_load.py --clients 20 --seconds 10
    python benchmarks/api_load.py --db sqlite:///PATH --cold   # cold and warm profiles only
                                      # (the default year's, stored by the build, and 2019's)
    python benchmarks/api_load.py --db sqlite:///PATH --pages  # every page: first load after
                                      # a start and warm, a re-rank with new weights; ratios
                                      # to the goals (500 ms a page, 1 s a profile of another
                                      # year, 300 ms a re-rank)

The server runs in its own process (uvicorn, one worker); the clients are threads, each
with its own keep-alive connection (http.client, light on the CPU so that the numbers
measure the server), cycling over countries with data. The first
request of each country is made before timing starts (the page cache is per store
version, as in production after the first visitor).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx


def serve(db_url: str | None, port: int, ready) -> None:
    import uvicorn

    from sharppower.demo import demo_database
    from sharppower.settings import Settings
    from sharppower.store import Database
    from sharppower.web.app import create_app

    conf = Settings.from_env(data_dir=tempfile.mkdtemp(prefix="sharppower-bench-"),
                             client_budget=0)  # 20 clients on one address: no budget
    db = Database(db_url) if db_url else demo_database(conf, Path(conf.data_dir) / "demo.db")
    app = create_app(conf, db)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            access_log=False)
    server = uvicorn.Server(config)
    ready.set()
    server.run()


async def wait_up(base: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(base + "/countries.json")).status_code == 200:
                    return
            except httpx.TransportError:
                await asyncio.sleep(0.2)
    raise SystemExit("the server did not start")


async def targets(base: str) -> list[str]:
    """Countries the default map shows a value for (those with opinion data), warmed up."""
    async with httpx.AsyncClient(timeout=120) as client:
        values = (await client.get(base + "/map.json")).json()["values"]
        codes = sorted(v["target"] for v in values)[:30] or ["SWE"]
        for code in codes:  # warm the per-version cache
            (await client.get(f"{base}/country/{code}.json")).raise_for_status()
    return codes


def client_loop(port: int, codes: list[str], stop: float, start: int,
                latencies: list[float], errors: list[int]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    i = start
    while time.monotonic() < stop:
        t0 = time.perf_counter()
        conn.request("GET", f"/country/{codes[i % len(codes)]}.json")
        response = conn.getresponse()
        response.read()
        latencies.append(time.perf_counter() - t0)
        if response.status != 200:
            errors.append(response.status)
        i += 1
    conn.close()


def run(port: int, clients: int, seconds: float) -> None:
    base = f"http://127.0.0.1:{port}"
    asyncio.run(wait_up(base))
    codes = asyncio.run(targets(base))
    latencies: list[float] = []
    errors: list[int] = []
    t0 = time.monotonic()
    stop = t0 + seconds
    threads = [threading.Thread(target=client_loop, args=(port, codes, stop, k, latencies, errors))
               for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    ms = sorted(x * 1000 for x in latencies)
    q = statistics.quantiles(ms, n=100)
    print(f"country-profile JSON, {clients} clients, {elapsed:.1f} s, {len(codes)} countries")
    print(f"requests {len(ms)}  errors {len(errors)}  throughput {len(ms) / elapsed:.0f} req/s")
    print(f"latency ms: p50 {q[49]:.1f}  p95 {q[94]:.1f}  p99 {q[98]:.1f}  max {ms[-1]:.1f}")
    print(f"goal p95 < 50 ms: {'met' if q[94] < 50 else 'NOT met'} (ratio p95/50 ms = {q[94] / 50:.2f})")


COLD_COUNTRIES = ["KEN", "SWE", "DEU", "FRA", "BRA", "IND", "NGA", "ZAF", "PAK", "IDN", "TUR",
                  "MEX", "ARG", "AUS", "JPN", "KOR", "ITA", "ESP", "POL", "HUN", "EGY", "ETH",
                  "GHA", "VNM", "PHL", "THA", "CAN", "GBR", "USA", "UKR"]


def percentiles(ms: list[float]) -> str:
    ms = sorted(ms)
    q = statistics.quantiles(ms, n=100) if len(ms) > 1 else [ms[0]] * 99
    return f"p50 {q[49]:.0f}  p95 {q[94]:.0f}  max {ms[-1]:.0f}"


def cold_and_warm(port: int, other_year: int) -> None:
    """The first request of each country's profile right after the server starts (an empty
    cache, as after a build: the default year's profile is the one the build stored), one
    at a time, then the same requests again (warm); then each country's profile of
    `other_year` (computed: the first one computes the frames all profiles share), first
    and again."""
    asyncio.run(wait_up(port_base := f"http://127.0.0.1:{port}"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    runs = {}
    for label, query in (("cold", ""), ("warm", ""), ("year", f"?year={other_year}"),
                         ("year warm", f"?year={other_year}")):
        ms = []
        for code in COLD_COUNTRIES:
            t0 = time.perf_counter()
            conn.request("GET", f"/country/{code}.json{query}")
            response = conn.getresponse()
            response.read()
            ms.append((time.perf_counter() - t0) * 1000)
            if response.status != 200:
                raise SystemExit(f"{port_base}/country/{code}.json answered {response.status}")
        runs[label] = ms
    conn.close()
    print(f"country-profile JSON, {len(COLD_COUNTRIES)} countries, one client")
    print(f"cold (first request per country; the very first {runs['cold'][0]:.0f} ms): "
          f"{percentiles(runs['cold'])} ms")
    print(f"warm: {percentiles(runs['warm'])} ms")
    print(f"year {other_year}, first request per country (the very first "
          f"{runs['year'][0]:.0f} ms): {percentiles(runs['year'])} ms")
    print(f"year {other_year}, warm: {percentiles(runs['year warm'])} ms")
    p95 = statistics.quantiles(runs["cold"], n=100)[94]
    print(f"goal cold p95 < 300 ms: {'met' if p95 < 300 else 'NOT met'} "
          f"(ratio p95/300 ms = {p95 / 300:.2f})")


# (path, goal in seconds for its first load after a start): every page under 500 ms, a
# profile of a non-default year under 1 s (issues 23 and 26)
PAGES = [("/map", 0.5), ("/country/KEN", 0.5), ("/country/KEN?year=2010", 1.0),
         ("/quadrant", 0.5), ("/vulnerability", 0.5), ("/evidence", 0.5), ("/methodology", 0.5),
         ("/weights", 0.5), ("/downloads", 0.5), ("/sources", 0.5), ("/countries", 0.5)]
RERANK = ("/weights.json?w.exposure=2&w.pressure=0.5", 0.3)  # new weights, after /weights


def timed_get(conn: http.client.HTTPConnection, path: str) -> float:
    t0 = time.perf_counter()
    conn.request("GET", path, headers={"Accept": "text/html"} if ".json" not in path else {})
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}")
    return time.perf_counter() - t0


def start_server(db_url: str | None):
    from sharppower.web.browser import free_port

    port = free_port()
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    server = ctx.Process(target=serve, args=(db_url, port, ready), daemon=True)
    server.start()
    asyncio.run(wait_up(f"http://127.0.0.1:{port}"))
    return server, port


def pages(db_url: str | None) -> None:
    """Each page's first load in a server just started (one fresh server per page, as
    after a build: nothing cached but what the build stored), then a second load (warm);
    and a re-rank with new weights after /weights was loaded. Ratios to the goals."""
    print(f"{'page':<44} {'first s':>8} {'warm s':>8} {'goal s':>7} {'first/goal':>10}")
    worst = 0.0
    for path, goal in [*PAGES, RERANK]:
        server, port = start_server(db_url)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            if (path, goal) == RERANK:
                timed_get(conn, "/weights")  # the page first, as a person moves a slider
            first = timed_get(conn, path)
            warm = timed_get(conn, path)
            conn.close()
        finally:
            server.terminate()
            server.join(10)
        worst = max(worst, first / goal)
        label = path if (path, goal) != RERANK else f"{path} (re-rank)"
        print(f"{label:<44} {first:8.3f} {warm:8.3f} {goal:7.1f} {first / goal:10.2f}")
    print(f"worst ratio first load / goal: {worst:.2f} ({'every goal met' if worst < 1 else 'NOT met'})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="store URL (default: a fresh demo store)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--cold", action="store_true", help="cold and warm profiles only")
    parser.add_argument("--pages", action="store_true",
                        help="every page's first load after a start and warm, the re-rank "
                             "with new weights; ratios to the goals")
    parser.add_argument("--other-year", type=int, default=2019,
                        help="with --cold: the year of the computed profiles (default 2019)")
    args = parser.parse_args(argv)
    if args.pages:
        pages(args.db)
        return
    from sharppower.web.browser import free_port

    port = free_port()
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    server = ctx.Process(target=serve, args=(args.db, port, ready), daemon=True)
    server.start()
    try:
        if args.cold:
            cold_and_warm(port, args.other_year)
        else:
            run(port, args.clients, min(args.seconds, 120))
    finally:
        server.terminate()
        server.join(10)


if __name__ == "__main__":
    main(sys.argv[1:])
