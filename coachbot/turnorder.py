"""One person's messages are handled in the order they came, never two at once; different
people's side by side. Every adapter takes its turns through this."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)


class TurnOrder(Generic[Key]):
    """A lock per key (a person), kept only while someone holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[Key, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def turn(self, key: Key) -> AsyncIterator[None]:
        """Wait for the earlier turns of `key` (asyncio's lock wakes waiters in order), then run."""
        lock, waiting = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, waiting + 1)
        try:
            async with lock:
                yield
        finally:
            lock, waiting = self._locks[key]
            if waiting == 1:  # nobody else queued for this key: drop the lock
                del self._locks[key]
            else:
                self._locks[key] = (lock, waiting - 1)
