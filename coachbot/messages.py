"""The neutral vocabulary between the core and every transport."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ChatKind(StrEnum):
    PRIVATE = "private"
    GROUP = "group"


@dataclass(frozen=True)
class Incoming:
    """One message or button press from a person, as any platform reports it."""

    platform: str
    user_id: str
    text: str = ""
    action: str | None = None
    display_name: str = ""
    chat_id: str | None = None
    chat_kind: ChatKind = ChatKind.PRIVATE
    is_chat_admin: bool = False
    timezone: str | None = None

    @property
    def chat(self) -> str:
        return self.chat_id if self.chat_id is not None else self.user_id


@dataclass(frozen=True)
class Choice:
    """A button (or a numbered option in a terminal) that sends `action` back when picked."""

    label: str
    action: str


@dataclass(frozen=True)
class LessonView:
    """A lesson as shown to a learner; adapters may render it richly (blocks, keyboards)."""

    lesson_id: str
    track_title: str
    position: int
    total: int
    title: str
    body: str
    try_this: str
    try_minutes: int
    question: str


@dataclass(frozen=True)
class Reply:
    """Something to show: plain text always, optional choices, lesson structure or image."""

    text: str
    choices: tuple[Choice, ...] = ()
    lesson: LessonView | None = None
    image: bytes | None = None
    image_name: str = "chart.png"
    edit_previous: bool = False
    # Only for the person who wrote: a refusal in a group is shown to them alone where the
    # platform can (ephemeral in Slack, a private message in Telegram).
    private: bool = False
    # Holds something for this person alone (a sign-in link): where it cannot be sent to them
    # privately, the group sees only a hint to open a private chat, never the reply itself.
    personal: bool = False
    # The button pressed was not understood (stale or unknown): platforms must not show it chosen.
    rejected_action: bool = False


@dataclass(frozen=True)
class Outgoing:
    """A reply addressed to a chat on a platform, for the messenger port."""

    platform: str
    chat_id: str
    reply: Reply
    is_group: bool = False
    metadata: dict[str, str] = field(default_factory=dict)
