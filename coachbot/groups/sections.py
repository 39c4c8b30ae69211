"""Extra report sections that other features contribute (coaching follow-ups, reviews, ...).

A feature registers a source; the report, the weekly digest and the dashboard show every
section a source returns, and nothing at all for a source that has no data yet (it returns
None), so a group never sees a row of zeros for something it does not use.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.store.models import Group


@dataclass(frozen=True)
class Figure:
    label: str
    value: str


@dataclass(frozen=True)
class Section:
    title: str
    figures: tuple[Figure, ...]


# (session, group, the ids of the group's members as a subquery, now) -> a section, or None.
SectionSource = Callable[[AsyncSession, Group, Select[int], datetime], Awaitable[Section | None]]

SOURCES: list[SectionSource] = []


def register(source: SectionSource) -> SectionSource:
    """Add a source of report sections (usable as a decorator)."""
    if source not in SOURCES:
        SOURCES.append(source)
    return source


async def gather(session: AsyncSession, group: Group, member_ids: Select[int],
                 now: datetime) -> list[Section]:
    found = [await source(session, group, member_ids, now) for source in SOURCES]
    return [section for section in found if section is not None and section.figures]
