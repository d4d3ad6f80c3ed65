"""Index v2: score intervals and what each score rests on

Revision ID: 0050_index_v2
Revises: 0021_fimi
Create Date: 2026-11-30 03:45:00

Frozen DDL: written once, never regenerated from today's tables. Existing runs keep NULL
in the new columns (rebuild the index to fill them).
"""

import sqlalchemy as sa
from alembic import op

revision = '0050_index_v2'
down_revision = '0021_fimi'
branch_labels = None
depends_on = None

COLUMNS = [
    ("score_low", sa.Float()),
    ("score_high", sa.Float()),
    ("components", sa.Text()),
    ("stale_components", sa.Text()),
    ("max_stale_age", sa.Integer()),
    ("imputed_components", sa.Text()),
    ("zero_components", sa.Text()),
]


def upgrade() -> None:
    with op.batch_alter_table('index_scores', schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('index_scores', schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
