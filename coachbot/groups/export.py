"""`coachbot report`: a group's figures as text, or every group's as CSV."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from sqlalchemy import select

from coachbot.clock import SystemClock
from coachbot.groups.report import GroupReport, build_report, render_text, write_csv
from coachbot.settings import Settings
from coachbot.store.database import make_engine, make_sessionmaker
from coachbot.store.models import Group


async def export_reports(settings: Settings, group_id: str | None, csv_path: str | None,
                         out: TextIO) -> int:
    engine = make_engine(settings.database_url)
    now = SystemClock().now()
    try:
        async with make_sessionmaker(engine)() as session:
            query = select(Group).order_by(Group.platform, Group.chat_id)
            if group_id:
                query = query.where(Group.chat_id == group_id)
            groups = list(await session.scalars(query))
            if not groups:
                known = ", ".join(g.chat_id for g in await session.scalars(select(Group))) or "none yet"
                print(f"coachbot report: no group '{group_id}'. Known groups: {known}.", file=sys.stderr)
                return 1
            reports: list[GroupReport] = [await build_report(session, g, now) for g in groups]
    finally:
        await engine.dispose()
    if csv_path:
        with Path(csv_path).open("w", encoding="utf-8-sig", newline="") as handle:
            rows = write_csv(reports, handle)
        print(f"Wrote {rows} member rows for {len(reports)} group(s) to {csv_path}.", file=out)
    else:
        print("\n\n".join(render_text(r) for r in reports), file=out)
    return 0
