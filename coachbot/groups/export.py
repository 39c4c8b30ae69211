"""`coachbot report`: a group's figures as text, its chart as a PNG, or every group's as CSV."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.clock import SystemClock
from coachbot.groups.chart import charts_available, render_png
from coachbot.groups.report import GroupReport, build_report, render_text, write_csv
from coachbot.settings import Settings
from coachbot.store.database import make_engine, make_sessionmaker
from coachbot.store.models import Group


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[AsyncSession]:
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()


async def find_groups(session: AsyncSession, group_id: str | None, command: str) -> list[Group]:
    """The group named (every group when None); an empty list after saying which ones exist."""
    query = select(Group).order_by(Group.platform, Group.chat_id)
    if group_id:
        query = query.where(Group.chat_id == group_id)
    groups = list(await session.scalars(query))
    if group_id and not groups:
        known = ", ".join(g.chat_id for g in await session.scalars(select(Group))) or "none yet"
        print(f"{command}: no group '{group_id}'. Known groups: {known}.", file=sys.stderr)
    return groups


async def export_reports(settings: Settings, group_id: str | None, csv_path: str | None,
                         out: TextIO, png_path: str | None = None) -> int:
    if png_path and not charts_available():
        print("coachbot report --png needs the charts extra: pip install 'coachbot[charts]'",
              file=sys.stderr)
        return 2
    now = SystemClock().now()
    async with database(settings) as session:
        groups = await find_groups(session, group_id, "coachbot report")
        if not groups:
            if not group_id:
                print("coachbot report: there are no groups yet.", file=sys.stderr)
            return 1
        reports: list[GroupReport] = [await build_report(session, g, now) for g in groups]
    if csv_path:
        with Path(csv_path).open("w", encoding="utf-8-sig", newline="") as handle:
            rows = write_csv(reports, handle)
        print(f"Wrote {rows} member rows for {len(reports)} group(s) to {csv_path}.", file=out)
    if png_path:
        Path(png_path).write_bytes(render_png(reports[0]))
        print(f"Wrote the chart of {reports[0].group} to {png_path}.", file=out)
    if not csv_path and not png_path:
        print("\n\n".join(render_text(r) for r in reports), file=out)
    return 0
