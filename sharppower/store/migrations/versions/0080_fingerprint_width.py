"""Fingerprints up to 128 characters: the build's index step stores the sha256 of its inputs
with the Monte Carlo runs appended (`<sha256>:50` with SHARPPOWER_INDEX_RUNS=50), 67
characters, which PostgreSQL refused in varchar(64) (StringDataRightTruncation).

Revision ID: 0080_fingerprint_width
Revises: 0070_profile_pages
Create Date: 2026-12-07 01:30:00

Frozen DDL: written once, never regenerated from today's tables. SQLite has no ALTER
COLUMN, and Alembic's batch copy cannot drop index_runs while index_scores & co. refer to
it; SQLite ignores a VARCHAR's length, so there the declared type is rewritten in the
schema (the documented procedure for a change that leaves the stored rows as they are:
writable_schema, then a new schema_version).
"""

import sqlalchemy as sa
from alembic import op

revision = '0080_fingerprint_width'
down_revision = '0070_profile_pages'
branch_labels = None
depends_on = None

COLUMNS = (("index_runs", "fingerprint"), ("build_log", "fingerprint"))


def _declare(table: str, column: str, old: int, new: int) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.alter_column(table, column, existing_type=sa.String(length=old),
                        type_=sa.String(length=new), existing_nullable=True)
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.execute(sa.text("UPDATE sqlite_master SET sql = replace(sql, :old, :new) "
                         "WHERE type = 'table' AND name = :table"),
                 {"old": f"{column} VARCHAR({old})", "new": f"{column} VARCHAR({new})",
                  "table": table})
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    for table, column in COLUMNS:
        _declare(table, column, 64, 128)


def downgrade() -> None:
    for table, column in COLUMNS:
        _declare(table, column, 128, 64)
