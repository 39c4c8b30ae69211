"""Mentor commands a group's anonymous administrator sends on the group's behalf.

Telegram shows such a message as sent by the group itself (through a stand-in bot), so there
is nobody to record: the command acts on the group, and no learner or member is stored for
the stand-in, so it never counts in the group's reports.
"""

from __future__ import annotations

from coachbot.conversation.coach import Coach, Turn
from coachbot.conversation.commands import MENTOR_COMMANDS, parse
from coachbot.conversation.mentor import MentorDesk
from coachbot.groups.membership import ensure_group
from coachbot.messages import ChatKind, Incoming, Reply
from coachbot.store.repository import Repository

AS_THE_GROUP = ("You're posting as the group (an anonymous admin), so I can't tell who you are. "
                "Here I take only the mentor commands: {commands}. For lessons of your own, "
                "open a private chat with me.")


async def handle_for_group(coach: Coach, incoming: Incoming) -> list[Reply]:
    """One turn for the group alone; anything but a mentor command gets an explanation."""
    parsed = parse(incoming.text)
    if incoming.chat_kind != ChatKind.GROUP or parsed.command not in MENTOR_COMMANDS:
        return [Reply(AS_THE_GROUP.format(commands=", ".join(MENTOR_COMMANDS)))]
    async with coach.sessions() as session, session.begin():
        turn = Turn(coach, Repository(session), incoming, coach.clock.now())
        group = await ensure_group(session, incoming.platform, incoming.chat, turn.now,
                                   zone=coach.default_zone)
        turn.group = group
        replies = await MentorDesk(turn, group).handle(parsed)
    if turn.queued:
        for listener in coach.queued_listeners:
            listener()
    return replies
