"""Who is a mentor: configured per platform user, or an admin of that chat (as the adapter says)."""

from __future__ import annotations

from coachbot.messages import Incoming


def mentor_key(platform: str, user_id: str) -> str:
    return f"{platform}:{user_id}"


def is_mentor(incoming: Incoming, configured: frozenset[str]) -> bool:
    """A configured mentor anywhere, or an admin of the group chat this came from."""
    if mentor_key(incoming.platform, incoming.user_id) in configured:
        return True
    return incoming.chat_kind == "group" and incoming.is_chat_admin


REFUSAL = ("Only this group's mentors can use {command}: the chat's admins, and the mentors "
           "named in the coach's settings. If you think that should be you, ask an admin of "
           "this chat.")
