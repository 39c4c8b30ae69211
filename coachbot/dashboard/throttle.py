"""Slowing down an address that keeps presenting bad sign-in links (guessing, or a broken bot).

A few mistakes are free (an old link, a double click); after that each further bad link
doubles the wait before that address may try again, up to a cap. The memory is in-process
and bounded: the oldest addresses are dropped first.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from datetime import datetime, timedelta
from ipaddress import ip_address

from coachbot.clock import Clock

FREE_TRIES = 3
WINDOW = timedelta(minutes=15)
FIRST_WAIT = timedelta(seconds=5)
LONGEST_WAIT = timedelta(minutes=15)
ADDRESSES_KEPT = 10_000


class BadLinkThrottle:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._bad: OrderedDict[str, deque[datetime]] = OrderedDict()

    def wait(self, address: str) -> int:
        """Seconds `address` must wait before its next link is looked at (0: go ahead)."""
        recent = self._recent(address)
        if len(recent) < FREE_TRIES:
            return 0
        wait = min(FIRST_WAIT * 2 ** (len(recent) - FREE_TRIES), LONGEST_WAIT)
        left = recent[-1] + wait - self.clock.now()
        return max(0, int(left.total_seconds() + 0.999))

    def failed(self, address: str) -> None:
        recent = self._recent(address)
        recent.append(self.clock.now())
        self._bad[address] = recent
        self._bad.move_to_end(address)
        while len(self._bad) > ADDRESSES_KEPT:
            self._bad.popitem(last=False)

    def _recent(self, address: str) -> deque[datetime]:
        recent = self._bad.get(address, deque())
        since = self.clock.now() - WINDOW
        while recent and recent[0] < since:
            recent.popleft()
        return recent


def client_address(remote: str | None, forwarded_for: str | None) -> str:
    """The client's address; behind a reverse proxy on this machine, the one it forwarded."""
    peer = remote or "unknown"
    if forwarded_for:
        try:
            local = ip_address(peer).is_loopback
        except ValueError:
            local = False
        if local:  # only a proxy on this machine may speak for the client
            return forwarded_for.split(",")[-1].strip() or peer
    return peer
