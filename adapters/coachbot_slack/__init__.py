"""coachbot in Slack: DMs, the /coach command, channels for mentors, and App Home.

Importing the package does not import slack-bolt (its profile must load without it); the
names below are loaded when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coachbot.platform import lazy_exports

if TYPE_CHECKING:
    from coachbot_slack.adapter import SlackAdapter, create_adapter
    from coachbot_slack.config import SlackConfig

__all__ = ["SlackAdapter", "SlackConfig", "create_adapter"]
__getattr__ = lazy_exports(__name__, {
    "SlackAdapter": "adapter",
    "create_adapter": "adapter",
    "SlackConfig": "config",
})
