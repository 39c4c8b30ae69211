"""The loopback platform's profile: what coachbot reads before the adapter is imported."""

from __future__ import annotations

from coachbot.delivery.limits import PlatformLimits, Rate
from coachbot.platform import PlatformProfile


def utf8_length(text: str) -> int:
    return len(text.encode("utf-8"))


PROFILE = PlatformProfile(
    name="loopback",
    title="Loopback",
    variable="LOOPBACK_TOKEN",
    adapter="coachbot_loopback.adapter:create_adapter",
    limits=PlatformLimits(per_chat=Rate(2, 1)),
    largest_message=1300,
    measure=utf8_length,
    unit="bytes",
    command_prefix="/loop",
)
