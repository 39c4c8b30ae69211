"""Sign-in links and browser sessions for mentors, without accounts or passwords.

A link carries a random nonce signed with COACHBOT_SECRET_KEY; the database keeps only its
hash, when it expires and whether it was used. Opening a link uses it up and starts a
session whose cookie is another random value (hashed in the database too), scoped to the
groups the person mentors at that moment. Every request checks that scope again, so a
mentor who is forgotten or loses a group loses it on the dashboard at once.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.groups.membership import mentored_groups
from coachbot.store.models import DashboardLink, DashboardSession, Group, Learner

LINK_LIFETIME = timedelta(hours=24)
SESSION_LIFETIME = timedelta(hours=12)
LINK_PATH = "/dashboard/open/"
_SALT = "coachbot.dashboard.link"


class LinkProblem(StrEnum):
    FORGED = "forged"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"
    NO_GROUPS = "no-groups"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=_SALT)


async def issue_link(session: AsyncSession, learner: Learner, public_url: str, secret_key: str,
                     now: datetime) -> str:
    """A new single-use sign-in link for `learner`, valid for LINK_LIFETIME."""
    nonce = secrets.token_urlsafe(24)
    expires = now + LINK_LIFETIME
    session.add(DashboardLink(nonce_hash=_hash(nonce), learner_id=learner.id, issued_at=now,
                              expires_at=expires))
    await session.flush()
    token = _serializer(secret_key).dumps({"n": nonce, "e": int(expires.timestamp())})
    return f"{public_url}{LINK_PATH}{token}"


async def check_link(session: AsyncSession, secret_key: str, token: str,
                     now: datetime) -> DashboardLink | LinkProblem:
    """The link's row while it can still open a session, else why not."""
    try:
        payload = _serializer(secret_key).loads(token)
    except BadSignature:
        return LinkProblem.FORGED
    if not (isinstance(payload, dict) and isinstance(payload.get("n"), str)
            and isinstance(payload.get("e"), int)):
        return LinkProblem.FORGED
    if payload["e"] <= now.timestamp():
        return LinkProblem.EXPIRED
    link = await session.scalar(select(DashboardLink).where(DashboardLink.nonce_hash == _hash(payload["n"])))
    if link is None:  # signed by us, but unknown: its owner was forgotten
        return LinkProblem.REVOKED
    if link.revoked_at is not None:
        return LinkProblem.REVOKED
    if link.used_at is not None:
        return LinkProblem.USED
    if link.expires_at <= now:
        return LinkProblem.EXPIRED
    return link


@dataclass(frozen=True)
class Opened:
    token: str  # the cookie's value; only its hash is stored
    row: DashboardSession


async def open_session(session: AsyncSession, link: DashboardLink, now: datetime) -> Opened | LinkProblem:
    """Use the link up and start a session over the groups its owner mentors now."""
    groups = await mentored_groups(session, link.learner_id)
    if not groups:
        return LinkProblem.NO_GROUPS
    used = await session.execute(
        update(DashboardLink)
        .where(DashboardLink.id == link.id, DashboardLink.used_at.is_(None),
               DashboardLink.revoked_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    if not getattr(used, "rowcount", 0):  # another request used it a moment ago
        return LinkProblem.USED
    token = secrets.token_urlsafe(32)
    row = DashboardSession(token_hash=_hash(token), learner_id=link.learner_id,
                           group_ids=json.dumps([g.id for g in groups]),
                           csrf=secrets.token_urlsafe(32), created_at=now,
                           expires_at=now + SESSION_LIFETIME)
    session.add(row)
    await session.flush()
    return Opened(token, row)


@dataclass
class Visitor:
    """A signed-in mentor and the groups this request may show."""

    row: DashboardSession
    learner: Learner
    groups: list[Group]

    def group(self, group_id: int) -> Group | None:
        return next((g for g in self.groups if g.id == group_id), None)


async def visitor(session: AsyncSession, token: str, now: datetime) -> Visitor | None:
    """The session behind a cookie, if it is still open; its groups as mentored right now."""
    row = await session.scalar(select(DashboardSession).where(DashboardSession.token_hash == _hash(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    learner = await session.get(Learner, row.learner_id)
    if learner is None:
        return None
    scope = set(json.loads(row.group_ids))
    groups = [g for g in await mentored_groups(session, learner.id) if g.id in scope]
    return Visitor(row, learner, groups)


async def revoke(session: AsyncSession, learner_id: int, now: datetime) -> tuple[int, int]:
    """End every open session and cancel every unused link of one person: (sessions, links)."""
    ended = await session.execute(
        update(DashboardSession)
        .where(DashboardSession.learner_id == learner_id, DashboardSession.revoked_at.is_(None),
               DashboardSession.expires_at > now)
        .values(revoked_at=now).execution_options(synchronize_session=False))
    cancelled = await session.execute(
        update(DashboardLink)
        .where(DashboardLink.learner_id == learner_id, DashboardLink.revoked_at.is_(None),
               DashboardLink.used_at.is_(None), DashboardLink.expires_at > now)
        .values(revoked_at=now).execution_options(synchronize_session=False))
    return int(getattr(ended, "rowcount", 0)), int(getattr(cancelled, "rowcount", 0))
