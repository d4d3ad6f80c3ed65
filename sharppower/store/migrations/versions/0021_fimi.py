"""FIMI exchange: DISARM framework, technique coding of evidence, links between records of one incident

Revision ID: 0021_fimi
Revises: 0040_web_accounts
Create Date: 2026-11-30 03:20:27.478731

Frozen DDL: written once, never regenerated from today's tables.
"""

import sqlalchemy as sa
from alembic import op

revision = '0021_fimi'
down_revision = '0040_web_accounts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('disarm_framework',
    sa.Column('disarm_id', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('phase_id', sa.String(length=10), nullable=True),
    sa.Column('tactic_id', sa.String(length=10), nullable=True),
    sa.Column('parent_id', sa.String(length=20), nullable=True),
    sa.Column('stix_id', sa.String(length=100), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('created', sa.String(length=40), nullable=True),
    sa.Column('modified', sa.String(length=40), nullable=True),
    sa.Column('source_file', sa.String(length=200), nullable=True),
    sa.Column('source_row', sa.String(length=60), nullable=True),
    sa.PrimaryKeyConstraint('disarm_id')
    )
    op.create_table('evidence_links',
    sa.Column('evidence_id', sa.String(length=120), nullable=False),
    sa.Column('linked_id', sa.String(length=120), nullable=False),
    sa.Column('relation', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('origin', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], ),
    sa.ForeignKeyConstraint(['linked_id'], ['evidence.id'], ),
    sa.PrimaryKeyConstraint('evidence_id', 'linked_id')
    )
    with op.batch_alter_table('evidence_links', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_links_linked', ['linked_id'], unique=False)

    op.create_table('evidence_techniques',
    sa.Column('evidence_id', sa.String(length=120), nullable=False),
    sa.Column('technique', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], ),
    sa.PrimaryKeyConstraint('evidence_id', 'technique')
    )


def downgrade() -> None:
    op.drop_table('evidence_techniques')
    with op.batch_alter_table('evidence_links', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_links_linked')
    op.drop_table('evidence_links')
    op.drop_table('disarm_framework')
