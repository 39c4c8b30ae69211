"""The group's spaced reviews in the mentor's report, the digest and the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.content.coaching import Reviews
from coachbot.groups.sections import Figure, Section
from coachbot.learning import reviews
from coachbot.store.models import Group, Review


@dataclass(frozen=True)
class GroupFigures:
    """The mentor's report: the group's reviews done and the share answered well (a section
    source of groups.sections, registered by the composition root with the content's words)."""

    texts: Reviews

    async def __call__(self, session: AsyncSession, group: Group, member_ids: Select[int],
                       now: datetime) -> Section | None:
        done, right = await reviews.totals(session, Review.learner_id.in_(member_ids))
        if not done:
            return None
        texts = self.texts
        return Section(texts.report_title, (Figure(texts.report_done, str(done)),
                                            Figure(texts.report_right, f"{reviews.share(done, right)}%")))
