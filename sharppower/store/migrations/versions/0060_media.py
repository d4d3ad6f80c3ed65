"""Media reuse: runs, outlet statistics and matched pairs

Revision ID: 0060_media
Revises: 0050_index_v2
Create Date: 2026-11-30 03:47:16.856186

Frozen DDL: written once, never regenerated from today's tables.
"""

import sqlalchemy as sa
from alembic import op

revision = '0060_media'
down_revision = '0050_index_v2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('media_outlets',
    sa.Column('run', sa.String(length=120), nullable=False),
    sa.Column('outlet', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=3), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=3), nullable=False),
    sa.Column('articles', sa.Integer(), nullable=False),
    sa.Column('reused', sa.Integer(), nullable=False),
    sa.Column('attributed', sa.Integer(), nullable=False),
    sa.Column('unattributed', sa.Integer(), nullable=False),
    sa.Column('reattributed', sa.Integer(), nullable=False),
    sa.Column('rate', sa.Float(), nullable=True),
    sa.Column('ci_low', sa.Float(), nullable=True),
    sa.Column('ci_high', sa.Float(), nullable=True),
    sa.Column('top_wire', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('run', 'outlet', 'country', 'year', 'actor')
    )
    with op.batch_alter_table('media_outlets', schema=None) as batch_op:
        batch_op.create_index('ix_media_outlets_country', ['country', 'year'], unique=False)

    op.create_table('media_pairs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run', sa.String(length=120), nullable=False),
    sa.Column('actor', sa.String(length=3), nullable=True),
    sa.Column('country', sa.String(length=3), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('local_id', sa.String(length=300), nullable=True),
    sa.Column('local_outlet', sa.String(length=200), nullable=False),
    sa.Column('local_url', sa.Text(), nullable=True),
    sa.Column('local_date', sa.String(length=10), nullable=True),
    sa.Column('wire_id', sa.String(length=300), nullable=True),
    sa.Column('wire_outlet', sa.String(length=200), nullable=True),
    sa.Column('wire_url', sa.Text(), nullable=True),
    sa.Column('wire_date', sa.String(length=10), nullable=True),
    sa.Column('containment', sa.Float(), nullable=True),
    sa.Column('jaccard', sa.Float(), nullable=True),
    sa.Column('attribution', sa.String(length=20), nullable=True),
    sa.Column('credit', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('media_pairs', schema=None) as batch_op:
        batch_op.create_index('ix_media_pairs_run', ['run'], unique=False)
        batch_op.create_index('ix_media_pairs_value', ['actor', 'country', 'year'], unique=False)

    op.create_table('media_runs',
    sa.Column('run', sa.String(length=120), nullable=False),
    sa.Column('origin', sa.String(length=100), nullable=False),
    sa.Column('method', sa.Text(), nullable=False),
    sa.Column('params', sa.Text(), nullable=True),
    sa.Column('local_file', sa.Text(), nullable=True),
    sa.Column('wire_file', sa.Text(), nullable=True),
    sa.Column('articles', sa.Integer(), nullable=True),
    sa.Column('matches', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('run')
    )


def downgrade() -> None:
    op.drop_table('media_runs')
    with op.batch_alter_table('media_pairs', schema=None) as batch_op:
        batch_op.drop_index('ix_media_pairs_value')
        batch_op.drop_index('ix_media_pairs_run')
    op.drop_table('media_pairs')
    with op.batch_alter_table('media_outlets', schema=None) as batch_op:
        batch_op.drop_index('ix_media_outlets_country')
    op.drop_table('media_outlets')
