"""First and warm loads of the pages an analyst reads (methodology, vulnerability, quadrant
with moves), each in a fresh app on the given store, as after a build; prints the times
and their ratio to the goal (first load under 500 ms, a warm load under 50 ms).

    python benchmarks/reader_pages.py --db sqlite:///PATH   # a built store (the mirror)

Each page gets its own app (a fresh per-store-version cache), warmed first on /sources so
that the app's own start-up (templates, codebook) is not counted against the page.
"""

from __future__ import annotations

import argparse
import time

PAGES = ["/methodology", "/methodology.json", "/vulnerability", "/vulnerability.json?actor=RUS",
         "/quadrant?year=2022&from_year=2015"]
FIRST_GOAL, WARM_GOAL = 0.5, 0.05


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="store URL, e.g. sqlite:///store.db")
    parser.add_argument("--repeat", type=int, default=3, help="warm loads to time")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from sharppower.settings import Settings
    from sharppower.store import Database
    from sharppower.web.app import create_app

    conf = Settings.from_env(database_url=args.db)
    print(f"{'page':40} {'first s':>8} {'x goal':>7} {'warm s':>8} {'x goal':>7}")
    for path in PAGES:
        db = Database(args.db)
        client = TestClient(create_app(conf, db))
        client.get("/sources")
        start = time.perf_counter()
        status = client.get(path).status_code
        first = time.perf_counter() - start
        warm = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            client.get(path)
            warm.append(time.perf_counter() - start)
        best = min(warm)
        print(f"{path:40} {first:8.3f} {first / FIRST_GOAL:7.2f} {best:8.3f} "
              f"{best / WARM_GOAL:7.2f}" + ("" if status == 200 else f"  status {status}"))
        db.dispose()


if __name__ == "__main__":
    main()
