"""The terminal adapter: a chat on standard input and output (`coachbot chat`).

Importing the package stays light, as `coachbot --help` loads its command; `ConsoleChat` is
loaded when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coachbot.platform import lazy_exports

if TYPE_CHECKING:
    from coachbot_console.chat import ConsoleChat

__all__ = ["ConsoleChat"]
__getattr__ = lazy_exports(__name__, {"ConsoleChat": "chat"})
