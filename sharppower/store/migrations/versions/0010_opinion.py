"""Opinion engine tables: estimates, quality findings, toplines, imports

Revision ID: 0010_opinion
Revises: 0001_core
Create Date: 2026-11-30 03:17:28.886993

Frozen DDL: written once, never regenerated from today's tables.
"""

import sqlalchemy as sa
from alembic import op

revision = '0010_opinion'
down_revision = '0001_core'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('opinion_estimates',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('actor', sa.String(length=3), nullable=False),
    sa.Column('public', sa.String(length=3), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=300), nullable=False),
    sa.Column('public_code', sa.String(length=40), nullable=True),
    sa.Column('self_rating', sa.Boolean(), nullable=False),
    sa.Column('current', sa.Boolean(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('weight_sum', sa.Float(), nullable=True),
    sa.Column('deff', sa.Float(), nullable=True),
    sa.Column('favorable', sa.Float(), nullable=True),
    sa.Column('favorable_se', sa.Float(), nullable=True),
    sa.Column('favorable_ci_low', sa.Float(), nullable=True),
    sa.Column('favorable_ci_high', sa.Float(), nullable=True),
    sa.Column('unfavorable', sa.Float(), nullable=True),
    sa.Column('unfavorable_se', sa.Float(), nullable=True),
    sa.Column('unfavorable_ci_low', sa.Float(), nullable=True),
    sa.Column('unfavorable_ci_high', sa.Float(), nullable=True),
    sa.Column('very_favorable', sa.Float(), nullable=True),
    sa.Column('very_favorable_se', sa.Float(), nullable=True),
    sa.Column('very_favorable_ci_low', sa.Float(), nullable=True),
    sa.Column('very_favorable_ci_high', sa.Float(), nullable=True),
    sa.Column('very_unfavorable', sa.Float(), nullable=True),
    sa.Column('very_unfavorable_se', sa.Float(), nullable=True),
    sa.Column('very_unfavorable_ci_low', sa.Float(), nullable=True),
    sa.Column('very_unfavorable_ci_high', sa.Float(), nullable=True),
    sa.Column('dk', sa.Float(), nullable=True),
    sa.Column('dk_se', sa.Float(), nullable=True),
    sa.Column('dk_ci_low', sa.Float(), nullable=True),
    sa.Column('dk_ci_high', sa.Float(), nullable=True),
    sa.Column('net', sa.Float(), nullable=True),
    sa.Column('net_se', sa.Float(), nullable=True),
    sa.Column('net_ci_low', sa.Float(), nullable=True),
    sa.Column('net_ci_high', sa.Float(), nullable=True),
    sa.Column('source_row', sa.String(length=300), nullable=True),
    sa.Column('method_version', sa.String(length=20), nullable=True),
    sa.Column('flags', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('actor', 'public', 'year', 'origin', name='uq_opinion_cell')
    )
    op.create_index('ix_opinion_lookup', 'opinion_estimates', ['actor', 'public', 'year'], unique=False)
    op.create_table('opinion_imports',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('file', sa.String(length=300), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('opinion_quality',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('check_name', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=3), nullable=False),
    sa.Column('public', sa.String(length=3), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('opinion_toplines',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('actor', sa.String(length=3), nullable=False),
    sa.Column('public', sa.String(length=3), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=200), nullable=False),
    sa.Column('response', sa.String(length=200), nullable=False),
    sa.Column('percent', sa.Float(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=True),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('source_file', sa.String(length=300), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=False),
    sa.Column('flags', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('actor', 'public', 'year', 'question', 'response', name='uq_opinion_topline')
    )


def downgrade() -> None:
    op.drop_table('opinion_toplines')
    op.drop_table('opinion_quality')
    op.drop_table('opinion_imports')
    op.drop_index('ix_opinion_lookup', table_name='opinion_estimates')
    op.drop_table('opinion_estimates')
