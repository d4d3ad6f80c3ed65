"""Core tables: countries, actors, indicators, sources, snapshots, observations, build log

Revision ID: 0001_core
Revises: -
Create Date: 2026-11-30 03:17:20.140076

Frozen DDL: written once, never regenerated from today's tables.
"""

import sqlalchemy as sa
from alembic import op

revision = '0001_core'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('actors',
    sa.Column('iso3', sa.String(length=3), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('iso3')
    )
    op.create_table('build_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('step', sa.String(length=100), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rows', sa.Integer(), nullable=True),
    sa.Column('countries', sa.Integer(), nullable=True),
    sa.Column('years', sa.String(length=20), nullable=True),
    sa.Column('warnings', sa.Text(), nullable=True),
    sa.Column('details', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('countries',
    sa.Column('iso3', sa.String(length=3), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('alpha2', sa.String(length=2), nullable=True),
    sa.Column('numeric', sa.String(length=3), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('subregion', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('iso3')
    )
    op.create_table('country_aliases',
    sa.Column('alias', sa.String(length=200), nullable=False),
    sa.Column('iso3', sa.String(length=3), nullable=False),
    sa.PrimaryKeyConstraint('alias')
    )
    op.create_table('indicators',
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('pillar', sa.String(length=50), nullable=False),
    sa.Column('domain', sa.String(length=80), nullable=False),
    sa.Column('layer', sa.String(length=20), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('unit', sa.String(length=80), nullable=True),
    sa.Column('source', sa.String(length=100), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('codebook_version', sa.String(length=20), nullable=True),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('observations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('actor', sa.String(length=3), nullable=True),
    sa.Column('target', sa.String(length=3), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('unit', sa.String(length=80), nullable=True),
    sa.Column('se', sa.Float(), nullable=True),
    sa.Column('ci_low', sa.Float(), nullable=True),
    sa.Column('ci_high', sa.Float(), nullable=True),
    sa.Column('n', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('source_file', sa.String(length=300), nullable=True),
    sa.Column('source_row', sa.String(length=300), nullable=True),
    sa.Column('evidence_ids', sa.Text(), nullable=True),
    sa.Column('flags', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_obs_lookup', 'observations', ['indicator', 'actor', 'target', 'year'], unique=False)
    op.create_index('ix_obs_source', 'observations', ['source'], unique=False)
    op.create_index('ix_obs_target', 'observations', ['target', 'year'], unique=False)
    op.create_table('snapshot_files',
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('file', sa.String(length=300), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('bytes', sa.BigInteger(), nullable=True),
    sa.Column('retrieved_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('source', 'file')
    )
    op.create_table('sources',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('publisher', sa.String(length=300), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('licence', sa.Text(), nullable=True),
    sa.Column('citation', sa.Text(), nullable=True),
    sa.Column('retrieved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('rows', sa.Integer(), nullable=True),
    sa.Column('starter', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('sources')
    op.drop_table('snapshot_files')
    op.drop_index('ix_obs_target', table_name='observations')
    op.drop_index('ix_obs_source', table_name='observations')
    op.drop_index('ix_obs_lookup', table_name='observations')
    op.drop_table('observations')
    op.drop_table('indicators')
    op.drop_table('country_aliases')
    op.drop_table('countries')
    op.drop_table('build_log')
    op.drop_table('actors')
