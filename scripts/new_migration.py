"""Write a new Alembic revision from the difference between the migrations and the models.

    python scripts/new_migration.py 0050_media "Media reuse: matches and outlets"

Applies every existing revision to an empty SQLite store, compares it with the tables
declared in every layer's `tables.py` (sharppower.models) and writes
`sharppower/store/migrations/versions/<rev_id>.py` chained onto the single head. Read the
file and tidy it: it is frozen from then on. `--only MODULE` (repeatable) restricts the
models to those `tables` modules (how the first revisions were split by layer).
"""

from __future__ import annotations

import argparse
import importlib
import re
import tempfile
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from sharppower.models import model_metadata
from sharppower.store import Database
from sharppower.store import revision as revision_module
from sharppower.store.migrations import config, script


def _models(only: list[str]) -> sa.MetaData:
    if not only:
        return model_metadata()
    combined = sa.MetaData()
    for name in only:
        for table in importlib.import_module(name).meta.tables.values():
            table.to_metadata(combined)
    return combined


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev_id", help="revision id and file name, e.g. 0050_media")
    parser.add_argument("message", help="one line saying what the revision adds")
    parser.add_argument("--only", action="append", default=[], metavar="MODULE")
    args = parser.parse_args()
    heads = script().get_heads()
    if len(heads) > 1:
        raise SystemExit(f"several heads ({', '.join(heads)}): fix a down_revision first")
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'empty.db'}")
        cfg = config(db, target_metadata=_models(args.only))
        command.upgrade(cfg, "heads")
        made = command.revision(cfg, message=args.message, autogenerate=True, rev_id=args.rev_id)
        db.dispose()
    head = Path(revision_module.__file__)
    head.write_text(re.sub(r'^HEAD = ".*"$', f'HEAD = "{made.revision}"', head.read_text("utf-8"),
                           flags=re.MULTILINE), "utf-8")
    print(f"wrote {made.path} (and the head in {head})")


if __name__ == "__main__":
    main()
