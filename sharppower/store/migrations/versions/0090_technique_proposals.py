"""DISARM technique proposals for evidence records (`technique_proposals`): what a model
proposes, kept apart from the record until a reviewer accepts or rejects each one.

Revision ID: 0090_technique_proposals
Revises: 0080_fingerprint_width
Create Date: 2026-12-07 02:30:00

Frozen DDL: written once, never regenerated from today's tables.
"""

import sqlalchemy as sa
from alembic import op

revision = '0090_technique_proposals'
down_revision = '0080_fingerprint_width'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('technique_proposals',
    sa.Column('evidence_id', sa.String(length=120), nullable=False),
    sa.Column('technique', sa.String(length=20), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by', sa.String(length=200), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], ),
    sa.PrimaryKeyConstraint('evidence_id', 'technique')
    )
    with op.batch_alter_table('technique_proposals', schema=None) as batch_op:
        batch_op.create_index('ix_technique_proposals_status', ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('technique_proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_technique_proposals_status')
    op.drop_table('technique_proposals')
