"""Web: country profiles stored by the build

Revision ID: 0070_profile_pages
Revises: 0060_media
Create Date: 2026-11-30 06:37:06.518371

Frozen DDL: written once, never regenerated from today's tables.
"""

import sqlalchemy as sa
from alembic import op

revision = '0070_profile_pages'
down_revision = '0060_media'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('web_profile_pages',
    sa.Column('target', sa.String(length=3), nullable=False),
    sa.Column('stamp', sa.String(length=60), nullable=False),
    sa.Column('inputs', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('target')
    )


def downgrade() -> None:
    op.drop_table('web_profile_pages')
