"""Index: observations by year

Revision ID: 0130_observations_year
Revises: 0120_index_scores_filters
Create Date: 2026-12-08 02:40:00.000000

Frozen DDL: written once, never regenerated from today's tables.

The first and last year of the observations (`store.lookups.year_bounds`: every page asked
for a year checks it) are read from the ends of this index instead of a scan of every
observation (0.05-0.2 s on the mirror's 578,000 observations).
"""

from alembic import op

revision = '0130_observations_year'
down_revision = '0120_index_scores_filters'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_obs_year', 'observations', ['year'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_obs_year', table_name='observations')
