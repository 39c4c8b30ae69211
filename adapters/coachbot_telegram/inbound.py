"""Telegram updates as the core's `Incoming`: commands, text and button presses."""

from __future__ import annotations

import html
import logging

from telegram import Bot, CallbackQuery, Message, Update, User
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from coachbot.conversation import Coach
from coachbot.conversation.commands import MENTOR_COMMANDS, parse
from coachbot.delivery.platform_facts import PlatformFacts
from coachbot.groups.roles import mentor_key
from coachbot.messages import ChatKind, Incoming
from coachbot.textinput import as_number
from coachbot_telegram.admins import AdminCache
from coachbot_telegram.links import GROUP_PAYLOAD, START_LABEL, group_link, start_payload
from coachbot_telegram.messenger import PLATFORM
from coachbot_telegram.profile import utf16_length
from coachbot_telegram.render import (
    TEXT_LIMIT,
    Part,
    chosen_label,
    decode_action,
    url_keyboard,
)
from coachbot_telegram.replies import Replier, Target
from coachbot_telegram.sending import NO_PREVIEW

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
MEMBER_STATUSES = {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER,
                   ChatMemberStatus.RESTRICTED}
INVITE = ("Your lessons come in a private chat with me, one a day at the time you pick. "
          "Tap the button below, then press Start.")
NOT_YOURS = "These buttons answer someone else. Send the command yourself to get your own."


def is_group(chat_type: str) -> bool:
    return chat_type in (ChatType.GROUP, ChatType.SUPERGROUP)


def anonymous_admin(message: Message) -> bool:
    """An administrator posting as the group itself (Telegram shows a stand-in bot as sender)."""
    return message.sender_chat is not None and message.sender_chat.id == message.chat.id


def from_person(message: Message) -> bool:
    """Other bots' messages are not requests, but anonymous administrators are people."""
    user = message.from_user
    return user is not None and (not user.is_bot or anonymous_admin(message))


class Inbound:
    """Thin handlers: each turns one update into one call of the coach and sends its replies."""

    def __init__(self, coach: Coach, facts: PlatformFacts, bot: Bot, replier: Replier,
                 admins: AdminCache) -> None:
        self.coach = coach
        self.facts = facts
        self.bot = bot
        self.replier = replier
        self.admins = admins

    # -- messages ------------------------------------------------------------------------

    async def on_command(self, update: Update, context: Context) -> None:
        """A known command: in a group, one meant for us or for every bot."""
        message = update.message
        if message is not None and from_person(message):
            await self.forward(message, message.text or "")

    async def on_message(self, update: Update, context: Context) -> None:
        """Anything else: all of it in private; in a group, only what is addressed to us."""
        message = update.message
        if message is None or not from_person(message):
            return
        text = message.text or message.caption or ""
        if message.chat.type == ChatType.PRIVATE:
            await self.forward(message, text)
        elif is_group(message.chat.type):
            addressed = self.addressed(message, text)
            if addressed is not None:
                await self.forward(message, addressed)

    def addressed(self, message: Message, text: str) -> str | None:
        """The text meant for the bot in a group message, or None when it talks to others."""
        mention = f"@{self.bot.username}".lower()
        if text.startswith("/"):  # a command we don't know: only when it names us
            return text if text.split()[0].lower().endswith(mention) else None
        if mention in text.lower():
            start = text.lower().index(mention)
            return (text[:start] + text[start + len(mention):]).strip()
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == self.bot.id:
            return text
        return None

    async def forward(self, message: Message, text: str) -> None:
        user, chat = message.from_user, message.chat
        assert user is not None
        if chat.type == ChatType.PRIVATE:
            payload = start_payload(text)
            if payload is not None:
                await self.start_from_link(message, user, payload)
                return
        elif parse(text).command == "start":
            await self.invite(message)
            return
        group = is_group(chat.type)
        incoming = Incoming(PLATFORM, str(user.id), text=text, display_name=user.full_name,
                            chat_id=str(chat.id), chat_kind=ChatKind.GROUP if group else ChatKind.PRIVATE,
                            is_chat_admin=group and await self.may_mentor(message, text))
        anonymous = group and anonymous_admin(message)
        if anonymous:  # the group itself: nobody to record as a learner
            replies = await self.coach.handle_as_group(incoming)
        else:
            replies = await self.coach.handle(incoming)
        target = Target(str(chat.id), group, message.message_id if group else None,
                        person=None if anonymous else str(user.id))
        await self.replier.answer(target, replies)

    async def may_mentor(self, message: Message, text: str) -> bool:
        """Whether the sender administers this group; asked only for mentor commands."""
        if parse(text).command not in MENTOR_COMMANDS:
            return False
        if anonymous_admin(message):
            return True
        user = message.from_user
        assert user is not None
        if mentor_key(PLATFORM, str(user.id)) in self.coach.settings.mentors:
            return False  # configured mentors need no lookup: the core knows them
        return await self.admins.is_admin(str(message.chat.id), str(user.id))

    async def invite(self, message: Message) -> None:
        """/start in a group: lessons happen in private, which Telegram opens only from the person's side."""
        link = group_link(self.bot, message.chat.id)
        markup = url_keyboard(START_LABEL, link) if link else None
        await self.replier.post(Target(str(message.chat.id), True, message.message_id),
                                Part(INVITE, keyboard=markup))

    async def start_from_link(self, message: Message, user: User, payload: str) -> None:
        """Start pressed from a group's deep link: the person joins that group's learners too."""
        group_id = payload.removeprefix(GROUP_PAYLOAD)
        in_group = (payload.startswith(GROUP_PAYLOAD) and as_number(group_id.removeprefix("-")) is not None
                    and await self.is_member(group_id, user.id))
        incoming = Incoming(PLATFORM, str(user.id), text="/start", display_name=user.full_name,
                            chat_id=group_id if in_group else str(message.chat.id),
                            chat_kind=ChatKind.GROUP if in_group else ChatKind.PRIVATE)
        replies = await self.coach.handle(incoming)
        if in_group:  # the turn was the group's; this private chat is where they write back
            await self.facts.reachable(PLATFORM, str(user.id), True)
        await self.replier.answer(Target(str(message.chat.id), False), replies)

    async def is_member(self, chat_id: str, user_id: int) -> bool:
        """A deep link's group counts only if Telegram says the person is in it."""
        try:
            member = await self.bot.get_chat_member(int(chat_id), user_id)
        except TelegramError:  # no such group, or the bot is no longer in it
            return False
        return member.status in MEMBER_STATUSES

    # -- buttons -------------------------------------------------------------------------

    async def on_callback(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        message = query.message
        if query.data is None or not isinstance(message, Message):
            await self.acknowledge(query, "This button has expired.")
            return
        chat, user = message.chat, query.from_user
        group = is_group(chat.type)
        if group and not self.meant_for(message, user):
            await self.acknowledge(query, NOT_YOURS)
            return
        await self.acknowledge(query)
        action, text = decode_action(query.data)
        incoming = Incoming(PLATFORM, str(user.id), text=text, action=action,
                            display_name=user.full_name, chat_id=str(chat.id),
                            chat_kind=ChatKind.GROUP if group else ChatKind.PRIVATE)
        replies = await self.coach.handle(incoming)
        if not any(reply.rejected_action for reply in replies):  # a stale button was not chosen
            await self.show_choice(query, message)
        asked = message.reply_to_message.message_id if group and message.reply_to_message else None
        await self.replier.answer(Target(str(chat.id), group, asked, person=str(user.id)), replies)

    @staticmethod
    async def acknowledge(query: CallbackQuery, text: str | None = None) -> None:
        """Stop the button's spinner; a press handled late still counts if this fails."""
        try:
            await query.answer(text)
        except TelegramError as error:
            log.info("could not answer callback %s: %s", query.id, error)

    @staticmethod
    def meant_for(message: Message, user: User) -> bool:
        """In a group, buttons on an answer to someone belong to that someone."""
        asked = message.reply_to_message
        if asked is None or asked.from_user is None or asked.from_user.is_bot:
            return True
        return asked.from_user.id == user.id

    async def show_choice(self, query: CallbackQuery, message: Message) -> None:
        """Mark the pressed button's message with the choice, and take its buttons away."""
        label = chosen_label(message.reply_markup, query.data or "", message.text or "")
        try:
            if message.text and label:
                text = f"{message.text_html}\n\n✓ {html.escape(label)}"
                if utf16_length(text) <= TEXT_LIMIT:
                    await query.edit_message_text(text, parse_mode=ParseMode.HTML,
                                                  link_preview_options=NO_PREVIEW)
                    return
            await query.edit_message_reply_markup(None)
        except TelegramError as error:  # pressed twice, or too old to edit: the answer still goes out
            log.info("could not mark the choice on message %s: %s", message.message_id, error)

