"""The database schema. Every stored instant is UTC and aware."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always hands back aware UTC datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store aware UTC instants")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Status(StrEnum):
    NEW = "new"
    ACTIVE = "active"
    PAUSED = "paused"
    STOPPED = "stopped"


class Learner(Base):
    __tablename__ = "learners"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id", name="uq_learner_identity"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    platform_user_id: Mapped[str] = mapped_column(String(128))
    chat_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    delivery_time: Mapped[str] = mapped_column(String(5), default="09:00")
    current_track: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=Status.NEW)
    pending: Mapped[str | None] = mapped_column(String(400), nullable=True)
    choices: Mapped[str | None] = mapped_column(Text, nullable=True)
    reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # What brings them here (an audience id of the content: "personal", "business"...).
    purpose: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Why lessons are paused: "silence" when the coach paused them after days without answer.
    paused_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Days in a row a lesson was waiting at delivery time (a note was sent), since they last wrote.
    waiting_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    waited_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # the last such day
    # The local date their plan was sent at the end of their path, and when it gets its nudge.
    plan_sent_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    plan_nudge_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class TrackProgress(Base):
    """How far a learner has got in one track: `position` lessons have been delivered."""

    __tablename__ = "track_progress"

    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    track_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class LessonRecord(Base):
    """A lesson delivered to a learner, and when (if) it was completed."""

    __tablename__ = "lesson_records"
    __table_args__ = (UniqueConstraint("learner_id", "lesson_id", name="uq_lesson_record"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[str] = mapped_column(String(64))
    lesson_id: Mapped[str] = mapped_column(String(64))
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_on: Mapped[date] = mapped_column(Date)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    # Set aside by the learner (`next` with this lesson open): listed by `progress`, taken later.
    set_aside_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CheckInAnswer(Base):
    __tablename__ = "checkin_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[str] = mapped_column(String(64))
    choice: Mapped[int | None] = mapped_column(Integer, nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Pause(Base):
    """A stretch of local days with lessons paused; a streak neither grows nor breaks in it."""

    __tablename__ = "pauses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # None while still paused


class FollowUp(Base):
    """The follow-up on a lesson's "try this": asked once, answered with one of three outcomes."""

    __tablename__ = "followups"
    __table_args__ = (UniqueConstraint("learner_id", "lesson_id", name="uq_followup"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[str] = mapped_column(String(64))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)  # "response", "nothing", "not-yet"
    note: Mapped[str | None] = mapped_column(Text, nullable=True)  # what they wrote about it, if anything
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Review(Base):
    """A check-in coming back for spaced review: when next, and how the reviews went."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("learner_id", "lesson_id", name="uq_review"),
                      Index("ix_reviews_due", "learner_id", "due_on"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    lesson_id: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # None: dropped (learnt)
    streak: Mapped[int] = mapped_column(Integer, default=0)  # correct reviews in a row
    done: Mapped[int] = mapped_column(Integer, default=0)  # reviews answered
    right: Mapped[int] = mapped_column(Integer, default=0)  # of those, answered well
    asked_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # the open review's day


class Confidence(Base):
    """How confident a learner felt about a track's subject at its start or its end (1-5)."""

    __tablename__ = "confidence"

    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    track_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    moment: Mapped[str] = mapped_column(String(8), primary_key=True)  # "start" or "end"
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class FaqMiss(Base):
    """A question the FAQ could not answer, kept for content authors (one row per ask)."""

    __tablename__ = "faq_misses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int | None] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), nullable=True, index=True)
    chat_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    question: Mapped[str] = mapped_column(Text)
    normalised: Mapped[str] = mapped_column(String(500), index=True)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Group(Base):
    """A chat the bot was added to (a Telegram group, a Slack channel, a console demo group)."""

    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("platform", "chat_id", name="uq_group_chat"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    schedule_time: Mapped[str | None] = mapped_column(String(5), nullable=True)
    schedule_track: Mapped[str | None] = mapped_column(String(64), nullable=True)
    schedule_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    digest_weekday: Mapped[int | None] = mapped_column(Integer, nullable=True)
    digest_time: Mapped[str | None] = mapped_column(String(5), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Membership(Base):
    """A learner seen in a group; one learner can belong to several groups."""

    __tablename__ = "memberships"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True, index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Seen steering the group (a chat admin or a configured mentor): left out of its figures.
    mentor: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class OutboxKind(StrEnum):
    LESSON = "lesson"
    REMINDER = "reminder"
    GROUP_LESSON = "group_lesson"
    DIGEST = "digest"
    TEXT = "text"
    # The day's one extra message of the coach's own (a follow-up, a review, a confidence
    # question, the plan's nudge); `body` names which, as "<what>:<key>".
    COACH = "coach"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"  # taken by a worker, not yet sent: surely not arrived
    SENDING = "sending"  # its request is leaving (or left): it may have arrived
    SENT = "sent"
    FAILED = "failed"
    UNCERTAIN = "uncertain"
    SKIPPED = "skipped"


class OutboxMessage(Base):
    """One message the scheduler owes a recipient: written before sending, marked after.

    `slot` is "daily" for the scheduled lesson and reminder (so a recipient gets at most one
    of each per local date) and a lesson id for lessons pushed to a group. A group's
    recipient is its database id ("group:12"), which stays when the chat gets a new id.
    `claimed_by` is the worker that holds a claimed or sending row, until `lease_until`: a
    worker renews its leases while it runs, so a lease that ran out belongs to one that died.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("recipient", "kind", "slot", "local_date", name="uq_outbox_once"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_chat", "platform", "chat_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(200))
    slot: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(128))
    learner_id: Mapped[int | None] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), nullable=True, index=True)
    group_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    lesson_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    local_date: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    message_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


# The planner finds due learners by zone and time; reminders look up recent lessons.
Index("ix_learners_schedule", Learner.status, Learner.timezone, Learner.delivery_time)
Index("ix_lesson_records_delivered_at", LessonRecord.delivered_at)
# Group reports read each member's done days straight from this index.
Index("ix_lesson_records_learner_done", LessonRecord.learner_id, LessonRecord.completed_on)


class InboundEvent(Base):
    """A platform event taken on (a Slack event id), so the platform's retries of it run once.

    `done_at` stays empty while it is being handled; a claim left unfinished for long (the
    process died) may be taken over by a retry.
    """

    __tablename__ = "inbound_events"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class DashboardLink(Base):
    """A sign-in link sent to a mentor: it opens one dashboard session, once, before it expires.

    Only a hash of the link's secret part is kept, so the table alone cannot open anything.
    """

    __tablename__ = "dashboard_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nonce_hash: Mapped[str] = mapped_column(String(64), unique=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class DashboardSession(Base):
    """A mentor's browser session, scoped to the groups they mentored when it opened."""

    __tablename__ = "dashboard_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    group_ids: Mapped[str] = mapped_column(Text)  # a JSON list of group ids
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    notice: Mapped[str | None] = mapped_column(Text, nullable=True)  # the last action's answer, shown once
