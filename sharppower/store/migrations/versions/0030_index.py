"""Index engine tables: runs, scores with rank intervals, screening, indicators, sensitivity

Revision ID: 0030_index
Revises: 0020_evidence
Create Date: 2026-11-30 03:17:33.447994

Frozen DDL: written once, never regenerated from today's tables.
"""

import sqlalchemy as sa
from alembic import op

revision = '0030_index'
down_revision = '0020_evidence'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('index_runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('spec', sa.String(length=100), nullable=False),
    sa.Column('spec_sha256', sa.String(length=64), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('mc_runs', sa.Integer(), nullable=True),
    sa.Column('seed', sa.BigInteger(), nullable=True),
    sa.Column('log', sa.Text(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('index_indicators',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=3), nullable=False),
    sa.Column('indicator', sa.String(length=100), nullable=False),
    sa.Column('pillar', sa.String(length=50), nullable=True),
    sa.Column('domain', sa.String(length=80), nullable=True),
    sa.Column('observed', sa.Integer(), nullable=True),
    sa.Column('imputed', sa.Integer(), nullable=True),
    sa.Column('winsorised', sa.Integer(), nullable=True),
    sa.Column('log_transformed', sa.Integer(), nullable=True),
    sa.Column('correlation', sa.Float(), nullable=True),
    sa.Column('warning', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['index_runs.id'], ),
    sa.PrimaryKeyConstraint('run_id', 'actor', 'indicator')
    )
    op.create_table('index_scores',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=3), nullable=False),
    sa.Column('target', sa.String(length=3), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('node', sa.String(length=100), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('rank', sa.Float(), nullable=True),
    sa.Column('n_ranked', sa.Integer(), nullable=True),
    sa.Column('coverage', sa.Float(), nullable=True),
    sa.Column('rank_median', sa.Float(), nullable=True),
    sa.Column('rank_low', sa.Float(), nullable=True),
    sa.Column('rank_high', sa.Float(), nullable=True),
    sa.Column('rank_p05', sa.Float(), nullable=True),
    sa.Column('rank_p95', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['index_runs.id'], ),
    sa.PrimaryKeyConstraint('run_id', 'actor', 'target', 'year', 'node')
    )
    op.create_index('ix_index_scores_lookup', 'index_scores', ['actor', 'year', 'level'], unique=False)
    op.create_table('index_screening',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=3), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('node', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('item', sa.String(length=100), nullable=False),
    sa.Column('coverage', sa.Float(), nullable=True),
    sa.Column('threshold', sa.Float(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['index_runs.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_index_screening_run', 'index_screening', ['run_id', 'actor', 'year'], unique=False)
    op.create_table('index_sensitivity',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=3), nullable=False),
    sa.Column('node', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=True),
    sa.Column('factor', sa.String(length=100), nullable=False),
    sa.Column('first_order', sa.Float(), nullable=True),
    sa.Column('total_order', sa.Float(), nullable=True),
    sa.Column('variance', sa.Float(), nullable=True),
    sa.Column('n_base', sa.Integer(), nullable=True),
    sa.Column('evaluations', sa.Integer(), nullable=True),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['index_runs.id'], ),
    sa.PrimaryKeyConstraint('run_id', 'actor', 'node', 'factor')
    )


def downgrade() -> None:
    op.drop_table('index_sensitivity')
    op.drop_index('ix_index_screening_run', table_name='index_screening')
    op.drop_table('index_screening')
    op.drop_index('ix_index_scores_lookup', table_name='index_scores')
    op.drop_table('index_scores')
    op.drop_table('index_indicators')
    op.drop_table('index_runs')
