"""coaching: lessons that wait, follow-ups, spaced review, a personal path, confidence, a plan

Learners get what brought them (`purpose`), why their lessons are paused, how many days a
lesson has been waiting, and when their plan was sent and gets its nudge. Lesson records can
be set aside. New tables: pauses (so a streak freezes), followups, reviews and confidence.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import coachbot.store.models

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

UTC_DATETIME = coachbot.store.models.UTCDateTime


def _learner() -> sa.Column[int]:
    return sa.Column('learner_id', sa.Integer(),
                     sa.ForeignKey('learners.id', ondelete='CASCADE'), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table('learners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('paused_reason', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('waiting_days', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('waited_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('plan_sent_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('plan_nudge_on', sa.Date(), nullable=True))
    with op.batch_alter_table('lesson_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('set_aside_at', UTC_DATETIME(timezone=True), nullable=True))
    op.create_table(
        'pauses',
        sa.Column('id', sa.Integer(), primary_key=True),
        _learner(),
        sa.Column('started_on', sa.Date(), nullable=False),
        sa.Column('ended_on', sa.Date(), nullable=True))
    op.create_index('ix_pauses_learner_id', 'pauses', ['learner_id'])
    op.create_table(
        'followups',
        sa.Column('id', sa.Integer(), primary_key=True),
        _learner(),
        sa.Column('lesson_id', sa.String(length=64), nullable=False),
        sa.Column('asked_at', UTC_DATETIME(timezone=True), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('answered_at', UTC_DATETIME(timezone=True), nullable=True),
        sa.UniqueConstraint('learner_id', 'lesson_id', name='uq_followup'))
    op.create_index('ix_followups_learner_id', 'followups', ['learner_id'])
    op.create_table(
        'reviews',
        sa.Column('id', sa.Integer(), primary_key=True),
        _learner(),
        sa.Column('lesson_id', sa.String(length=64), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.Column('streak', sa.Integer(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('right', sa.Integer(), nullable=False),
        sa.Column('asked_on', sa.Date(), nullable=True),
        sa.UniqueConstraint('learner_id', 'lesson_id', name='uq_review'))
    op.create_index('ix_reviews_due', 'reviews', ['learner_id', 'due_on'])
    op.create_table(
        'confidence',
        sa.Column('learner_id', sa.Integer(), sa.ForeignKey('learners.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('track_id', sa.String(length=64), primary_key=True),
        sa.Column('moment', sa.String(length=8), primary_key=True),
        sa.Column('asked_at', UTC_DATETIME(timezone=True), nullable=False),
        sa.Column('score', sa.Integer(), nullable=True),
        sa.Column('answered_at', UTC_DATETIME(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_table('confidence')
    op.drop_index('ix_reviews_due', table_name='reviews')
    op.drop_table('reviews')
    op.drop_index('ix_followups_learner_id', table_name='followups')
    op.drop_table('followups')
    op.drop_index('ix_pauses_learner_id', table_name='pauses')
    op.drop_table('pauses')
    with op.batch_alter_table('lesson_records', schema=None) as batch_op:
        batch_op.drop_column('set_aside_at')
    with op.batch_alter_table('learners', schema=None) as batch_op:
        for column in ('plan_nudge_on', 'plan_sent_on', 'waited_on', 'waiting_days', 'paused_reason', 'purpose'):
            batch_op.drop_column(column)
