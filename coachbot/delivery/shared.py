"""The rate budget in Redis, shared by every worker that sends for the same bot.

Same schedule and windows as `LocalBudget` (see `coachbot.delivery.limits`), kept in Redis
hashes and sorted sets and changed by Lua scripts, which Redis runs one at a time: two
workers can never book the same slot, nor both take a window's last place. Slots and
admissions are in Redis's own clock (`TIME`), so the workers' clocks need not agree; each
worker maps slots onto its own clock with the smallest offset it has seen between the two
(the one least delayed by the network or a busy event loop), so a slot is kept to within a
fraction of a millisecond however late its answer was read, and the time an answer came is
mapped back the same way, never earlier than it was. Keys expire shortly after they stop
mattering, so a chat that is not written to costs nothing.

If Redis cannot be reached, sending goes on with this process's own budget (and a warning):
a message a little too early risks a 429, which is handled; not sending at all would not be.
Needs the `redis` extra.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
from collections import deque
from collections.abc import Sequence
from typing import Any

from coachbot.delivery.budget import HOLD, Admission, Grant, LocalBudget, Window
from coachbot.settings import SettingsError

log = logging.getLogger(__name__)
OFFSET_SAMPLES = 500
CALIBRATION_ROUNDS = 5

NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
"""

RESERVE = NOW + """
local gap, chat_gap, keep = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local chat = redis.call('HMGET', KEYS[2], 'prev', 'ready')
local ready = tonumber(chat[2]) or 0
if ready > now then
  return {'chat', string.format('%.6f', ready - now), ''}
end
local schedule = redis.call('HMGET', KEYS[1], 'next', 'paused')
local slot = math.max(tonumber(schedule[1]) or 0, tonumber(schedule[2]) or 0, now)
redis.call('HSET', KEYS[1], 'next', string.format('%.6f', slot + gap))
redis.call('PEXPIRE', KEYS[1], math.ceil((slot + gap - now) * 1000) + 86400000)
redis.call('HSET', KEYS[2], 'prev', string.format('%.6f', slot), 'ready',
           string.format('%.6f', slot + chat_gap))
redis.call('PEXPIRE', KEYS[2], math.ceil((slot + math.max(chat_gap, keep) - now) * 1000) + 1000)
local since = ''
if chat[1] then since = string.format('%.6f', slot - tonumber(chat[1])) end
return {'go', string.format('%.6f', slot), since, string.format('%.6f', now)}
"""

PAUSE = NOW + """
local until_ = now + tonumber(ARGV[1])
local paused = tonumber(redis.call('HGET', KEYS[1], 'paused')) or 0
if until_ > paused then
  redis.call('HSET', KEYS[1], 'paused', string.format('%.6f', until_))
end
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[1]) * 1000) + 86400000)
return 1
"""

# KEYS[1] the platform's schedule, KEYS[2..] its windows (sorted sets: a send, scored by
# until when it counts); ARGV: hold, the send's token, then each window's cap and length.
ADMIT = NOW + """
local paused = tonumber(redis.call('HGET', KEYS[1], 'paused')) or 0
if paused > now then
  return {'pause', string.format('%.6f', paused - now), string.format('%.6f', now)}
end
local hold, wait = tonumber(ARGV[1]), 0
for i = 2, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  if redis.call('ZCARD', KEYS[i]) >= tonumber(ARGV[2 * i - 1]) then
    local first = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    wait = math.max(wait, math.min(tonumber(first[2]) - now, tonumber(ARGV[2 * i])))
  end
end
if wait > 0 then
  return {'wait', string.format('%.6f', wait), string.format('%.6f', now)}
end
for i = 2, #KEYS do
  redis.call('ZADD', KEYS[i], string.format('%.6f', now + hold), ARGV[2])
  redis.call('PEXPIRE', KEYS[i], math.ceil((hold + tonumber(ARGV[2 * i])) * 1000))
end
return {'go', '0', string.format('%.6f', now)}
"""

# KEYS: the send's windows; ARGV: its token, when its answer came (Redis's clock), each
# window's length.
FINISH = """
local done = tonumber(ARGV[2])
for i = 1, #KEYS do
  local per = tonumber(ARGV[2 + i])
  redis.call('ZADD', KEYS[i], string.format('%.6f', done + per), ARGV[1])
  local keep = math.ceil(per * 1000) + 1000
  if redis.call('PTTL', KEYS[i]) < keep then redis.call('PEXPIRE', KEYS[i], keep) end
end
return 1
"""

PAUSED_FOR = NOW + """
local paused = tonumber(redis.call('HGET', KEYS[1], 'paused')) or 0
return string.format('%.6f', math.max(0, paused - now))
"""


def connect(url: str) -> Any:
    """A Redis client for COACHBOT_REDIS_URL (nothing is sent until it is used)."""
    try:
        from redis.asyncio import Redis
    except ImportError as exc:
        raise SettingsError("COACHBOT_REDIS_URL is set, but the Redis client is not installed: "
                            f"pip install 'coachbot[redis]' ({exc})") from exc
    try:
        return Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    except ValueError as exc:
        raise SettingsError(f"COACHBOT_REDIS_URL: {exc} (expected redis://host:6379/0)") from exc


class RedisBudget:
    """Slots booked in Redis under `prefix` (one prefix per bot)."""

    def __init__(self, client: Any, prefix: str, keep: float = 60.0) -> None:
        from redis.exceptions import RedisError

        self.client = client
        self.prefix = prefix
        self.keep = keep  # how long a chat's last slot is remembered (its longest window)
        self._errors: tuple[type[Exception], ...] = (RedisError, OSError)
        self._reserve = client.register_script(RESERVE)
        self._pause = client.register_script(PAUSE)
        self._paused_for = client.register_script(PAUSED_FOR)
        self._admit = client.register_script(ADMIT)
        self._finish = client.register_script(FINISH)
        self._sends = itertools.count()
        self._name = secrets.token_hex(6)
        self._fallback = LocalBudget()
        self._down = False
        self._offsets: deque[float] = deque(maxlen=OFFSET_SAMPLES)  # Redis time - our time
        self._calibrating = asyncio.Lock()

    def _key(self, platform: str) -> str:
        return f"{self.prefix}:limits:{platform}"

    async def reserve(self, platform: str, chat: str, gap: float, chat_gap: float) -> Grant:
        key, loop = self._key(platform), asyncio.get_running_loop()
        try:
            if not self._offsets:
                await self._calibrate()
            asked = loop.time()
            answer = await self._reserve(keys=[key, f"{key}:chat:{chat}"],
                                         args=[gap, chat_gap, self.keep])
        except self._errors as error:
            self._lost(error)
            return await self._fallback.reserve(platform, chat, gap, chat_gap)
        self._back()
        if answer[0] == b"chat":
            return Grant(chat_wait=float(answer[1]))
        slot, since, redis_now = float(answer[1]), answer[2], float(answer[3])
        self._offsets.append(redis_now - asked)
        local_slot = slot - min(self._offsets)
        return Grant(wait=local_slot - loop.time(), since_previous=float(since) if since else None)

    async def _calibrate(self) -> None:
        """A first estimate of Redis's clock against ours, from a few quick round trips."""
        async with self._calibrating:
            loop = asyncio.get_running_loop()
            while len(self._offsets) < CALIBRATION_ROUNDS:
                sent = loop.time()
                seconds, micros = await self.client.time()
                self._offsets.append(seconds + micros / 1e6 - sent)  # never below the true offset

    async def pause(self, platform: str, seconds: float) -> None:
        await self._fallback.pause(platform, seconds)
        try:
            await self._pause(keys=[self._key(platform)], args=[seconds])
        except self._errors as error:
            self._lost(error)

    async def admit(self, platform: str, windows: Sequence[Window]) -> Admission:
        key, token = self._key(platform), f"{self._name}:{next(self._sends)}"
        args: list[object] = [HOLD, token]
        for window in windows:
            args += [window.cap, window.per]
        asked = asyncio.get_running_loop().time()
        try:
            kind, seconds, redis_now = await self._admit(
                keys=[key, *(f"{key}:{window.key}" for window in windows)], args=args)
        except self._errors as error:
            self._lost(error)
            return await self._fallback.admit(platform, windows)
        self._back()
        self._offsets.append(float(redis_now) - asked)
        if kind == b"pause":
            return Admission(pause=float(seconds))
        return Admission(wait=float(seconds)) if kind == b"wait" else Admission(token=token)

    async def finish(self, platform: str, windows: Sequence[Window], token: str) -> None:
        if not token.startswith(f"{self._name}:"):  # admitted while Redis was away
            await self._fallback.finish(platform, windows, token)
            return
        key = self._key(platform)
        # Now, on Redis's clock: our time plus the smallest offset seen, which is never below
        # the true one, so the send never stops counting too early.
        done = asyncio.get_running_loop().time() + min(self._offsets)
        try:
            await self._finish(keys=[f"{key}:{window.key}" for window in windows],
                               args=[token, f"{done:.6f}", *(window.per for window in windows)])
        except self._errors as error:  # it stops counting HOLD seconds after its admission
            self._lost(error)

    async def paused_for(self, platform: str) -> float:
        try:
            left = float(await self._paused_for(keys=[self._key(platform)]))
        except self._errors as error:
            self._lost(error)
            return await self._fallback.paused_for(platform)
        self._back()
        return left

    async def ping(self) -> bool:
        try:
            return bool(await self.client.ping())
        except self._errors:
            return False

    def _lost(self, error: Exception) -> None:
        if not self._down:
            log.warning("Redis is unreachable (%s): pacing with this process's own budget until "
                        "it is back", type(error).__name__)
        self._down = True

    def _back(self) -> None:
        if self._down:
            log.info("Redis is back: sharing the platforms' rate budget with the other workers again")
        self._down = False

    async def close(self) -> None:
        await self.client.aclose()
