"""outbox leases and stable group keys

Rows get the worker that holds them and until when (`claimed_by`, `lease_until`). A group's
outbox rows are keyed by the group's own id ("group:12") instead of its chat id, which
changes when a Telegram group becomes a supergroup.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import coachbot.store.models

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

GROUP_KINDS = ("group_lesson", "digest", "text")


def _rekey(to_key: str) -> None:
    """Rewrite group rows' recipient; a row whose new key is taken (a duplicate) keeps its old one."""
    connection = op.get_bind()
    outbox = sa.table("outbox", sa.column("id", sa.Integer), sa.column("recipient", sa.String),
                      sa.column("kind", sa.String), sa.column("slot", sa.String),
                      sa.column("local_date", sa.Date), sa.column("group_key", sa.String),
                      sa.column("platform", sa.String), sa.column("chat_id", sa.String))
    rows = connection.execute(
        sa.select(outbox).where(outbox.c.group_key.is_not(None), outbox.c.kind.in_(GROUP_KINDS))
        .order_by(outbox.c.id)).all()
    taken = {(row.recipient, row.kind, row.slot, row.local_date) for row in rows}
    for row in rows:
        new = (f"group:{row.group_key}" if to_key == "id"
               else f"group:{row.platform}:{row.chat_id}")
        key = (new, row.kind, row.slot, row.local_date)
        if new == row.recipient or key in taken:
            continue
        taken.discard((row.recipient, row.kind, row.slot, row.local_date))
        taken.add(key)
        connection.execute(sa.update(outbox).where(outbox.c.id == row.id).values(recipient=new))


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('lease_until', coachbot.store.models.UTCDateTime(timezone=True),
                                      nullable=True))
    _rekey("id")


def downgrade() -> None:
    _rekey("chat")
    op.execute("UPDATE outbox SET status = 'pending' WHERE status = 'claimed'")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('lease_until')
        batch_op.drop_column('claimed_by')
