"""What the core knows of Telegram before python-telegram-bot is imported (see coachbot.platform)."""

from __future__ import annotations

from coachbot.delivery.limits import PlatformLimits, Rate
from coachbot.platform import PlatformProfile


def utf16_length(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


PROFILE = PlatformProfile(
    name="telegram",
    title="Telegram",
    variable="TELEGRAM_BOT_TOKEN",
    adapter="coachbot_telegram.adapter:create_adapter",
    extra="telegram",
    # The Bot FAQ: about 30 messages a second in all, 1 a second in one chat, 20 a minute in a group.
    limits=PlatformLimits(overall=Rate(30, 1), per_chat=Rate(1, 1), per_group=Rate(20, 60)),
    largest_message=4096,  # MessageLimit.MAX_TEXT_LENGTH; longer replies are sent in parts
    measure=utf16_length,
    unit="UTF-16 units",
)
