"""What the dashboard's pages show, worked out from the report (no web library here)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from coachbot.content.models import Content
from coachbot.groups.report import PAUSED_BY_SILENCE, GroupReport, MemberFigures

PAGE_SIZE = 100
STANDINGS = ("on track", "new", "stuck", "paused", PAUSED_BY_SILENCE, "stopped", "unreachable")
SORTS: dict[str, Callable[[MemberFigures], Any]] = {
    "name": lambda m: (m.name.casefold(), m.learner_id),
    "track": lambda m: (m.current_track, m.name.casefold()),
    "lessons": lambda m: (m.lessons_done, m.name.casefold()),
    "streak": lambda m: (m.streak, m.name.casefold()),
    "active": lambda m: (m.last_active, m.name.casefold()),
    "standing": lambda m: (STANDINGS.index(m.standing), m.name.casefold()),
}
# The first click on a column sorts the way a mentor most likely wants it.
FIRST_DIRECTION = {"name": "asc", "track": "asc", "lessons": "desc", "streak": "desc",
                   "active": "desc", "standing": "desc"}


@dataclass(frozen=True)
class TableView:
    """Which slice of the members table to show; every value comes from a fixed list."""

    sort: str = "name"
    direction: str = "asc"
    show: str = "all"
    page: int = 1

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> TableView:
        """Anything unknown falls back to the default, so an edited address still shows a page."""
        sort = query.get("sort", "name")
        sort = sort if sort in SORTS else "name"
        direction = query.get("dir", "")
        direction = direction if direction in ("asc", "desc") else FIRST_DIRECTION[sort]
        show = query.get("show", "all")
        show = show if show in STANDINGS else "all"
        page = query.get("page", "1")
        return cls(sort, direction, show, int(page) if page.isdigit() and 0 < int(page) < 10**6 else 1)

    def link(self, **changes: Any) -> str:
        """The query string for this view with some values changed."""
        values = {"sort": self.sort, "dir": self.direction, "show": self.show, "page": self.page}
        values.update(changes)
        return "?" + "&".join(f"{key}={str(value).replace(' ', '+')}" for key, value in values.items())

    def header(self, column: str) -> tuple[str, str]:
        """(link, aria-sort) for a column header: clicking the sorted column flips it."""
        if column == self.sort:
            flipped = "asc" if self.direction == "desc" else "desc"
            state = "ascending" if self.direction == "asc" else "descending"
            return self.link(sort=column, dir=flipped, page=1), state
        return self.link(sort=column, dir=FIRST_DIRECTION[column], page=1), "none"


@dataclass(frozen=True)
class MembersTable:
    rows: list[MemberFigures]
    matching: int
    pages: int
    view: TableView
    counts: dict[str, int]


def members_table(report: GroupReport, view: TableView) -> MembersTable:
    counts = {standing: 0 for standing in STANDINGS}
    for member in report.members:
        counts[member.standing] += 1
    chosen = [m for m in report.members if view.show in ("all", m.standing)]
    chosen.sort(key=SORTS[view.sort], reverse=view.direction == "desc")
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    page = min(view.page, pages)
    shown = chosen[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    return MembersTable(shown, len(chosen), pages, TableView(view.sort, view.direction, view.show, page),
                        counts)


@dataclass(frozen=True)
class Bar:
    day: date
    count: int
    x: float
    y: float
    height: float
    label: str | None  # a date under every seventh bar


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    ticks: list[tuple[int, float]]  # (value, y) for whole-number gridlines
    width: int
    height: int
    bar_width: float
    baseline: float


def chart(per_day: list[tuple[date, int]], width: int = 720, height: int = 240) -> Chart:
    """Bar geometry for an inline SVG: whole-number gridlines, a label every seventh day."""
    left, right, top, bottom = 40, 28, 12, 28
    top_value = max([count for _, count in per_day] + [1])
    step = max(1, -(-top_value // 4))
    top_value = -(-top_value // step) * step
    plot_h = height - top - bottom
    slot = (width - left - right) / max(1, len(per_day))
    bars = []
    for i, (day, count) in enumerate(per_day):
        bar_h = plot_h * count / top_value
        label = day.strftime("%d %b") if (len(per_day) - 1 - i) % 7 == 0 else None
        bars.append(Bar(day, count, left + i * slot + slot * 0.15, top + plot_h - bar_h, bar_h, label))
    ticks = [(value, top + plot_h - plot_h * value / top_value) for value in range(0, top_value + 1, step)]
    return Chart(bars, ticks, width, height, slot * 0.7, top + plot_h)


def track_titles(content: Content) -> dict[str, str]:
    return {track.id: track.title for track in content.tracks}
