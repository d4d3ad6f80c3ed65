"""Every table of every layer in one MetaData: the models the migrations must produce.

Each layer declares its tables in a `tables.py` module (store, measures, index, web); this
finds them all on disk, so a new package's tables are compared with the migrations without
registering anywhere. Used by `tests/test_migrations.py` and `scripts/new_migration.py`
only; it imports every layer and sits in the top layer of the import contract.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import sqlalchemy as sa

PACKAGE = Path(__file__).parent


def table_modules() -> list[str]:
    """Dotted names of every `tables.py` module in the package, sorted."""
    return sorted(
        ".".join(("sharppower", *path.relative_to(PACKAGE).with_suffix("").parts))
        for path in PACKAGE.rglob("tables.py")
    )


def model_metadata() -> sa.MetaData:
    """One MetaData holding a copy of every declared table."""
    combined = sa.MetaData()
    for name in table_modules():
        module = importlib.import_module(name)
        for table in module.meta.tables.values():
            table.to_metadata(combined)
    return combined
