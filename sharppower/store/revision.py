"""The head revision of the migrations shipped, known without loading Alembic.

`Database.upgrade()` compares the store's version table with it first: a store already
at this head (every command after the first) needs nothing applied, and the command does
not import Alembic (a fifth of a second). `scripts/new_migration.py` writes it with each
new revision; `tests/test_migrations.py` checks it is Alembic's single head.
"""

HEAD = "0130_observations_year"
