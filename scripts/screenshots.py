"""Screenshots of the dashboard's main pages for the README:

    python scripts/screenshots.py --out docs/screenshots [--db URL] [--country AUS]

Without --db it builds a fresh demo store (the starter data) first.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from sharppower.demo import demo_database
from sharppower.settings import Settings
from sharppower.store import Database
from sharppower.web.app import create_app
from sharppower.web.screenshots import take_screenshots


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Screenshots of the dashboard's main pages.")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--db", help="store URL (default: a fresh demo store)")
    parser.add_argument("--country", default="AUS", help="country profile to photograph")
    args = parser.parse_args(argv)
    conf = Settings.from_env(data_dir=tempfile.mkdtemp(prefix="sharppower-shots-"))
    db = Database(args.db) if args.db else demo_database(conf)
    for path in take_screenshots(create_app(conf, db), args.out, args.country):
        print(path)


if __name__ == "__main__":
    main()
