"""The terminal adapter: a chat on standard input and output."""

from coachbot_console.chat import ConsoleChat

__all__ = ["ConsoleChat"]
