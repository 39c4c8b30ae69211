"""The report's follow-up figures: how the group's try-this went, by outcome, never by name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.buttons import OUTCOMES
from coachbot.groups.sections import Figure, Section
from coachbot.store.models import FollowUp, Group

TITLE = "Follow-ups"
LABELS = {"response": "got a response", "nothing": "nothing yet", "not-yet": "didn't get to it"}


async def followup_section(session: AsyncSession, group: Group, member_ids: Select[int],
                           now: datetime) -> Section | None:
    """Follow-ups the group's members (mentors left out) answered, counted by outcome."""
    rows = await session.execute(
        select(FollowUp.outcome, func.count())
        .where(FollowUp.learner_id.in_(member_ids), FollowUp.outcome.is_not(None))
        .group_by(FollowUp.outcome))
    counts = {outcome: int(count) for outcome, count in rows}
    answered = sum(counts.get(outcome, 0) for outcome in OUTCOMES)
    if not answered:
        return None
    return Section(TITLE, (Figure("answered", str(answered)),
                           *(Figure(LABELS[outcome], str(counts.get(outcome, 0))) for outcome in OUTCOMES)))
