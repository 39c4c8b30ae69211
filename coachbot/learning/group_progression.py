"""A group's lesson for the day: chosen as it goes out, given back if it surely did not arrive.

The same promise as a learner's lesson. A scheduled group lesson is planned without a lesson;
the group's next one is taken (its position moves on) in the transaction that marks the row
"sending", and given back when the platform surely did not take it (a 429 or a 5xx that is
retried, a group that is gone), so a retry sends that same lesson and nothing is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.content.models import Content, Track
from coachbot.store.models import Group


@dataclass(frozen=True)
class GroupLesson:
    track: Track
    index: int

    @property
    def lesson_id(self) -> str:
        return self.track.lessons[self.index].id


def group_track(content: Content, group: Group) -> Track:
    return content.track(group.schedule_track or "") or content.default_track


async def take_group_lesson(session: AsyncSession, content: Content, group_key: str | None
                            ) -> GroupLesson | None:
    """The group's next lesson, recorded as delivered; None when the group or its track is done."""
    group = await session.get(Group, int(group_key)) if group_key else None
    if group is None or not group.active:
        return None
    track = group_track(content, group)
    if group.position >= len(track.lessons):
        return None
    taken = GroupLesson(track, group.position)
    group.position += 1
    return taken


async def give_back_group_lesson(session: AsyncSession, content: Content, group_key: str | None,
                                 lesson_id: str) -> bool:
    """Undo `take_group_lesson` while nothing happened since (it is still the group's latest)."""
    group = await session.get(Group, int(group_key)) if group_key else None
    if group is None:
        return False
    track = group_track(content, group)
    ids = [lesson.id for lesson in track.lessons]
    if lesson_id not in ids or group.position != ids.index(lesson_id) + 1:
        return False
    group.position -= 1
    return True
