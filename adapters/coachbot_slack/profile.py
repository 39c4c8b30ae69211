"""What the core knows of Slack before slack-bolt is imported (see coachbot.platform)."""

from __future__ import annotations

from coachbot.delivery.limits import PlatformLimits, Rate
from coachbot.platform import PlatformProfile


def section_length(text: str) -> int:
    """A text's length in a Block Kit section, once &, < and > are escaped for mrkdwn."""
    from coachbot_slack.blocks import escape

    return len(escape(text))


PROFILE = PlatformProfile(
    name="slack",
    title="Slack",
    variable="SLACK_BOT_TOKEN",
    adapter="coachbot_slack.adapter:create_adapter",
    extra="slack",
    # chat.postMessage: about one message a second in a channel; no overall limit of its own.
    limits=PlatformLimits(per_chat=Rate(1, 1)),
    largest_message=3000,  # a section block's text (blocks.SECTION_TEXT); longer ones are split
    measure=section_length,
    command_prefix="/coach",  # the slash command that carries ours (listeners.COMMAND)
)
