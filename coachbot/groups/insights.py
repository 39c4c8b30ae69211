"""`coachbot content insights`: for content authors, where learners go wrong and what the FAQ missed."""

from __future__ import annotations

from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.content.models import Content
from coachbot.groups.checkins import checkin_figures, render_table
from coachbot.groups.export import database, find_groups
from coachbot.groups.report import top_misses
from coachbot.settings import Settings
from coachbot.store.models import Group
from coachbot.store.repository import Repository

MISSES_SHOWN = 10


async def print_insights(settings: Settings, content: Content, group_id: str | None,
                         out: TextIO) -> int:
    async with database(settings) as session:
        group: Group | None = None
        if group_id:
            groups = await find_groups(session, group_id, "coachbot content insights")
            if not groups:
                return 1
            group = groups[0]
        lines = await insight_lines(session, content, group)
    print("\n".join(lines), file=out)
    return 0


async def insight_lines(session: AsyncSession, content: Content, group: Group | None) -> list[str]:
    figures = await checkin_figures(session, content, group)
    where = f"in {group.title or group.chat_id}" if group else "everywhere"
    lines = [f"Check-ins by lesson {where}, most missed first:"]
    lines += ["  " + line for line in render_table(figures, content.lesson_count - len(figures))]
    misses = await _misses(session, group)
    lines.append("")
    lines.append(f"Questions the FAQ couldn't answer {where}, most asked first (who asked is "
                 "never shown):")
    lines += [f"  {count}x {question[:80]}" for question, count in misses] or ["  none"]
    return lines


async def _misses(session: AsyncSession, group: Group | None) -> list[tuple[str, int]]:
    if group is not None:
        return await top_misses(session, group, MISSES_SHOWN)
    return [(m.question, m.count) for m in await Repository(session).faq_misses(MISSES_SHOWN)]


