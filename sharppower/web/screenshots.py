"""Screenshots of the main pages for the README:

    python -m sharppower.web.screenshots --out docs/screenshots [--db URL]

Serves the store (default: a fresh demo store) on 127.0.0.1 and photographs each page in
Debian's Chromium with every off-host request refused (the list must stay empty).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

PAGES = {
    "map": "/map",
    "country": "/country/{country}",
    "quadrant": "/quadrant",
    "evidence": "/evidence",
    "weights": "/weights",
    "methodology": "/methodology",
}


def take_screenshots(app, out: Path, country: str = "AUS") -> list[Path]:
    """Write one PNG per page of PAGES into `out`; raises if any request left the host."""
    from sharppower.web.browser import browser_page, serve_in_thread

    out.mkdir(parents=True, exist_ok=True)
    blocked: list[str] = []
    written = []
    with serve_in_thread(app) as base, browser_page(blocked) as page:
        for name, path in PAGES.items():
            page.goto(base + path.format(country=country))
            page.wait_for_load_state("networkidle")
            if page.locator("[data-figure]").count():
                page.wait_for_selector("[data-figure][data-drawn='1']", timeout=30000)
            target = out / f"{name}.png"
            page.screenshot(path=str(target), full_page=False)
            written.append(target)
    if blocked:
        raise RuntimeError(f"pages asked for outside resources: {blocked}")
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Screenshots of the dashboard's main pages.")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--db", help="store URL (default: a fresh demo store)")
    parser.add_argument("--country", default="AUS", help="country profile to photograph")
    args = parser.parse_args(argv)
    from sharppower.demo import demo_database
    from sharppower.settings import Settings
    from sharppower.store import Database
    from sharppower.web.app import create_app

    conf = Settings.from_env(data_dir=tempfile.mkdtemp(prefix="sharppower-shots-"))
    db = Database(args.db) if args.db else demo_database(conf)
    for path in take_screenshots(create_app(conf, db), args.out, args.country):
        print(path)


if __name__ == "__main__":
    main()
