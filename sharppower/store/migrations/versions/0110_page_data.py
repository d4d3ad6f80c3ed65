"""Web: page data stored by the build (default map, weights and downloads pages)

Revision ID: 0110_page_data
Revises: 0100_latent
Create Date: 2026-12-07 04:32:00.000000

Frozen DDL: written once, never regenerated from today's tables.
"""

import sqlalchemy as sa
from alembic import op

revision = '0110_page_data'
down_revision = '0100_latent'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('web_page_data',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('stamp', sa.String(length=200), nullable=False),
    sa.Column('inputs', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )


def downgrade() -> None:
    op.drop_table('web_page_data')
