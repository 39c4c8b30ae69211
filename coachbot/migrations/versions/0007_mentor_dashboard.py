"""mentor dashboard: mentors apart from members, sign-in links and sessions, done-days index

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import coachbot.store.models

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lesson_records', schema=None) as batch_op:
        batch_op.create_index('ix_lesson_records_learner_done', ['learner_id', 'completed_on'], unique=False)

    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mentor', sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table('dashboard_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nonce_hash', sa.String(length=64), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('issued_at', coachbot.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', coachbot.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', coachbot.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', coachbot.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('nonce_hash')
    )
    with op.batch_alter_table('dashboard_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboard_links_learner_id'), ['learner_id'], unique=False)

    op.create_table('dashboard_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('group_ids', sa.Text(), nullable=False),
    sa.Column('csrf', sa.String(length=64), nullable=False),
    sa.Column('created_at', coachbot.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', coachbot.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', coachbot.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notice', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('dashboard_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboard_sessions_learner_id'), ['learner_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dashboard_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dashboard_sessions_learner_id'))
    op.drop_table('dashboard_sessions')
    with op.batch_alter_table('dashboard_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dashboard_links_learner_id'))
    op.drop_table('dashboard_links')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_column('mentor')
    with op.batch_alter_table('lesson_records', schema=None) as batch_op:
        batch_op.drop_index('ix_lesson_records_learner_done')
