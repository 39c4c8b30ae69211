"""The confidence lift of a group: how sure members felt at the start of a track, and at its end."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from coachbot.content.coaching import ConfidenceTexts
from coachbot.groups.sections import Figure, Section, register
from coachbot.store.models import Confidence, Group


@register
async def confidence_lift(session: AsyncSession, group: Group, member_ids: Select[int],
                          now: datetime) -> Section | None:
    """Mean start and end scores over the members who gave both; nothing before anyone was asked.

    A report has no curriculum of its own, so its labels are the content's defaults.
    """
    texts = ConfidenceTexts()
    anyone = await session.scalar(
        select(Confidence.learner_id).where(Confidence.learner_id.in_(member_ids)).limit(1))
    if anyone is None:
        return None
    start, end = aliased(Confidence), aliased(Confidence)
    mean_start, mean_end, members = (await session.execute(
        select(func.avg(start.score), func.avg(end.score), func.count(start.learner_id.distinct()))
        .join(end, and_(end.learner_id == start.learner_id, end.track_id == start.track_id,
                        end.moment == "end"))
        .where(start.moment == "start", start.learner_id.in_(member_ids),
               start.score.is_not(None), end.score.is_not(None)))).one()
    if not members:
        return Section(texts.report_title, (Figure(texts.report_none, ""),))
    return Section(texts.report_title, (Figure(texts.report_start, f"{float(mean_start):.1f}"),
                                        Figure(texts.report_end, f"{float(mean_end):.1f}"),
                                        Figure(texts.report_count, str(members))))
