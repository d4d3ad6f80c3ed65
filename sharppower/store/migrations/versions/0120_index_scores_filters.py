"""Index: a run's scores looked up by (run_id, actor, year, level, node)

Revision ID: 0120_index_scores_filters
Revises: 0110_page_data
Create Date: 2026-12-07 23:55:00.000000

Frozen DDL: written once, never regenerated from today's tables.

The lookup index (actor, year, level) becomes (run_id, actor, year, level, node): every
query of the scores names its run, and the run's distinct (actor, year, level, node),
what an export's filters are checked against, is read from the index alone instead of a
scan of the run's rows and a temporary B-tree.
"""

from alembic import op

revision = '0120_index_scores_filters'
down_revision = '0110_page_data'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_index_scores_lookup', table_name='index_scores')
    op.create_index('ix_index_scores_run_filters', 'index_scores',
                    ['run_id', 'actor', 'year', 'level', 'node'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_index_scores_run_filters', table_name='index_scores')
    op.create_index('ix_index_scores_lookup', 'index_scores', ['actor', 'year', 'level'],
                    unique=False)
