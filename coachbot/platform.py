"""What a platform adapter offers the process that runs it (`coachbot run`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from coachbot.delivery.ports import Messenger

# An aiohttp request handler; typed loosely so the core does not import aiohttp.
Handler = Callable[[Any], Awaitable[Any]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler


class PlatformAdapter(Protocol):
    """A transport: receives platform events, sends through its messenger."""

    platform: str
    messenger: Messenger

    def routes(self) -> list[Route]:
        """HTTP routes this adapter needs on the shared server (may be empty)."""
        ...

    async def start(self) -> None: ...

    async def connection_problem(self) -> str | None:
        """Once started: None while the platform answers, else what is wrong (for `/readyz`)."""
        ...

    async def stop(self) -> None: ...
