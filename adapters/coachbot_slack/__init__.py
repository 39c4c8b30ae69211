"""coachbot in Slack: DMs, the /coach command, channels for mentors, and App Home."""

from __future__ import annotations

from coachbot_slack.adapter import SlackAdapter, create_adapter
from coachbot_slack.config import SlackConfig

__all__ = ["SlackAdapter", "SlackConfig", "create_adapter"]
