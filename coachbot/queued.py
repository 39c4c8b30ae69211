"""The signal that something was queued for sending now (a mentor's push), so it need not
wait for the scheduler's next tick.

Built once by the composition root and given to whoever queues (the coach, the dashboard) and
to whoever sends (the scheduler), so nothing is attached after construction.
"""

from __future__ import annotations

import asyncio


class WorkQueued:
    """Said after a unit of work that queued an outbox row has committed; awaited by senders."""

    def __init__(self) -> None:
        self._said = asyncio.Event()

    def say(self) -> None:
        self._said.set()

    @property
    def pending(self) -> bool:
        """Said, and not heard yet."""
        return self._said.is_set()

    async def heard(self) -> None:
        """Return once it has been said (at once if it was said since the last time)."""
        await self._said.wait()
        self._said.clear()
