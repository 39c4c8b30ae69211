"""The platform-neutral conversation: Incoming in, Replies out."""

from coachbot.conversation.coach import Coach
from coachbot.conversation.commands import COMMANDS, MENTOR_COMMANDS, parse

__all__ = ["COMMANDS", "MENTOR_COMMANDS", "Coach", "parse"]
