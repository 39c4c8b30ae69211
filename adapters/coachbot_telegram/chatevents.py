"""Facts Telegram reports about chats: blocked, unblocked, added, removed, migrated."""

from __future__ import annotations

from telegram import Bot, Update
from telegram.constants import ChatMemberStatus, ChatType

from coachbot.delivery.platform_facts import PlatformFacts
from coachbot_telegram.admins import AdminCache
from coachbot_telegram.inbound import Context, is_group
from coachbot_telegram.links import START_LABEL, group_link
from coachbot_telegram.messenger import PLATFORM
from coachbot_telegram.render import Part, url_keyboard
from coachbot_telegram.replies import Replier, Target

OUT = {ChatMemberStatus.LEFT, ChatMemberStatus.BANNED}
WELCOME = ("Hello, everyone! I'm a coach for social engagement: one short lesson a day, with a "
           "small thing to try and a quick check-in. Lessons come in a private chat: tap the "
           "button, then press Start.\n\nAdmins and mentors can use /push, /schedule, /report "
           "and /digest here.")


class ChatEvents:
    def __init__(self, events: PlatformFacts, bot: Bot, replier: Replier, admins: AdminCache) -> None:
        self.events = events
        self.bot = bot
        self.replier = replier
        self.admins = admins

    async def on_my_chat_member(self, update: Update, context: Context) -> None:
        """The bot's own membership changed: a person blocked it, or a group added or removed it."""
        change = update.my_chat_member
        if change is None:
            return
        chat = change.chat
        old, new = change.old_chat_member.status, change.new_chat_member.status
        if chat.type == ChatType.PRIVATE:
            if new == ChatMemberStatus.BANNED:
                await self.events.reachable(PLATFORM, str(chat.id), False)
            elif old == ChatMemberStatus.BANNED:
                await self.events.reachable(PLATFORM, str(chat.id), True)
        elif is_group(chat.type):
            if new in OUT:
                self.admins.forget_chat(str(chat.id))
                await self.events.left_group(PLATFORM, str(chat.id))
            elif old in OUT:
                await self.welcome(str(chat.id))

    async def welcome(self, chat_id: str) -> None:
        link = group_link(self.bot, chat_id)
        markup = url_keyboard(START_LABEL, link) if link else None
        await self.replier.post(Target(chat_id, True), Part(WELCOME, keyboard=markup))

    async def on_migrate(self, update: Update, context: Context) -> None:
        """A group became a supergroup: the same group, members and history under a new id."""
        message = update.message
        if message is None:
            return
        if message.migrate_to_chat_id is not None:
            old, new = message.chat.id, message.migrate_to_chat_id
        elif message.migrate_from_chat_id is not None:
            old, new = message.migrate_from_chat_id, message.chat.id
        else:
            return
        self.admins.forget_chat(str(old))
        await self.events.group_moved(PLATFORM, str(old), str(new))
