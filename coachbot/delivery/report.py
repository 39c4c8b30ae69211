"""`coachbot deliveries`: how many messages are pending, sent, failed or uncertain, and why."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.store import outbox

LABELS = {
    "pending": "waiting to be sent",
    "claimed": "taken by a worker, about to be sent",
    "sending": "being sent right now",
    "sent": "sent",
    "failed": "failed (see below)",
    "uncertain": "may have arrived (interrupted mid-send; never re-sent)",
    "skipped": "skipped (paused, finished, quiet hours, or the day had passed)",
}


async def delivery_report(sessions: async_sessionmaker[AsyncSession], limit: int = 10) -> str:
    async with sessions() as session:
        counts = await outbox.counts(session)
        problems = await outbox.problems(session, limit)
    width = max(len(status) for status in counts)
    lines = ["Deliveries:"]
    lines += [f"  {status:<{width}}  {count:>8}  {LABELS[status]}" for status, count in counts.items()]
    if not problems:
        lines.append("No failed or uncertain deliveries.")
        return "\n".join(lines)
    lines.append(f"Latest failed or uncertain ({len(problems)}):")
    for row in problems:
        when = (row.claimed_at or row.due_at).strftime("%Y-%m-%d %H:%M UTC")
        who = f"learner {row.learner_id}" if row.learner_id is not None else row.recipient
        lines.append(f"  {when}  {row.status:<9}  {row.kind} for {who} on {row.platform} "
                     f"(chat {row.chat_id}), day {row.local_date}, {row.attempts} attempt(s): "
                     f"{row.last_error or 'no reason recorded'}")
    return "\n".join(lines)
