"""Evidence ledger: records, actors, adopted codes, independent codings, history, coverage

Revision ID: 0020_evidence
Revises: 0010_opinion
Create Date: 2026-11-30 03:17:30.974462

Frozen DDL: written once, never regenerated from today's tables.
"""

import sqlalchemy as sa
from alembic import op

revision = '0020_evidence'
down_revision = '0010_opinion'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('evidence',
    sa.Column('id', sa.String(length=120), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=True),
    sa.Column('target', sa.String(length=3), nullable=False),
    sa.Column('start_date', sa.String(length=10), nullable=False),
    sa.Column('start_precision', sa.String(length=5), nullable=False),
    sa.Column('end_date', sa.String(length=10), nullable=True),
    sa.Column('end_precision', sa.String(length=5), nullable=True),
    sa.Column('ongoing', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('end_year', sa.Integer(), nullable=True),
    sa.Column('sources', sa.Text(), nullable=False),
    sa.Column('categories', sa.Text(), nullable=True),
    sa.Column('confidence', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('coder', sa.String(length=120), nullable=False),
    sa.Column('reviewed_by', sa.String(length=120), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('origin', sa.String(length=100), nullable=False),
    sa.Column('origin_key', sa.String(length=200), nullable=True),
    sa.Column('withdrawn_from_source', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('source_payload', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_evidence_origin', 'evidence', ['origin', 'origin_key'], unique=False)
    op.create_index('ix_evidence_target', 'evidence', ['target', 'start_year'], unique=False)
    op.create_table('evidence_coverage',
    sa.Column('origin', sa.String(length=100), nullable=False),
    sa.Column('actor', sa.String(length=3), nullable=False),
    sa.Column('target', sa.String(length=3), nullable=False),
    sa.Column('indicator', sa.String(length=100), nullable=False),
    sa.Column('first_year', sa.Integer(), nullable=False),
    sa.Column('last_year', sa.Integer(), nullable=False),
    sa.Column('last_date', sa.String(length=10), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('origin', 'actor', 'target', 'indicator')
    )
    op.create_table('evidence_history',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('evidence_id', sa.String(length=120), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('field', sa.String(length=60), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_evidence_history_id', 'evidence_history', ['evidence_id'], unique=False)
    op.create_table('evidence_actors',
    sa.Column('evidence_id', sa.String(length=120), nullable=False),
    sa.Column('actor', sa.String(length=3), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], ),
    sa.PrimaryKeyConstraint('evidence_id', 'actor')
    )
    op.create_table('evidence_codings',
    sa.Column('evidence_id', sa.String(length=120), nullable=False),
    sa.Column('coder', sa.String(length=120), nullable=False),
    sa.Column('indicators', sa.Text(), nullable=False),
    sa.Column('coded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], ),
    sa.PrimaryKeyConstraint('evidence_id', 'coder')
    )
    op.create_table('evidence_indicators',
    sa.Column('evidence_id', sa.String(length=120), nullable=False),
    sa.Column('indicator', sa.String(length=100), nullable=False),
    sa.Column('layer', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], ),
    sa.PrimaryKeyConstraint('evidence_id', 'indicator')
    )


def downgrade() -> None:
    op.drop_table('evidence_indicators')
    op.drop_table('evidence_codings')
    op.drop_table('evidence_actors')
    op.drop_index('ix_evidence_history_id', table_name='evidence_history')
    op.drop_table('evidence_history')
    op.drop_table('evidence_coverage')
    op.drop_index('ix_evidence_target', table_name='evidence')
    op.drop_index('ix_evidence_origin', table_name='evidence')
    op.drop_table('evidence')
