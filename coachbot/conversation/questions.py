"""Questions in the learner's own words, answered from the FAQ or honestly not."""

from __future__ import annotations

import re

from coachbot.buttons import FaqTopic, Typed, encode
from coachbot.content.models import FaqEntry
from coachbot.conversation.context import Context
from coachbot.faq.base import QUESTION_LIMIT
from coachbot.faq.smalltalk import small_talk
from coachbot.faq.text import clean
from coachbot.messages import Choice, Reply

_ASKING = re.compile(r"^(how|what|why|when|where|who|which|can|could|should|do|does|is|are|will|"
                     r"would)\b", re.IGNORECASE)


def looks_like_question(text: str) -> bool:
    """'how do lessons work?' or 'what is a streak': a question, not an answer to one."""
    stripped = text.strip()
    return stripped.endswith("?") or (bool(_ASKING.match(stripped)) and len(stripped.split()) >= 3)


async def answer(ctx: Context, text: str) -> list[Reply]:
    chat = small_talk(text)
    if chat is not None:
        return [Reply(chat)]
    question = text[:QUESTION_LIMIT]
    result = ctx.parts.faq.match(question)
    if result.entry is not None:
        return [faq_reply(ctx, result.entry)]
    choices = tuple(Choice(e.question, encode(FaqTopic(e.id))) for e in result.candidates)
    if result.ambiguous and choices:
        return [Reply("I'm not sure which of these you mean. Pick one:", choices)]
    await ctx.repo.add_faq_miss(ctx.learner, ctx.incoming.chat, question, clean(question), ctx.now)
    maybe = " Maybe one of these is close?" if choices else ""
    return [Reply(f"I don't know that one, sorry.{maybe} For anything else, "
                  f"{ctx.settings.mentor_contact}. Type help to see what I can do.", choices)]


def topic(ctx: Context, entry_id: str) -> list[Reply] | None:
    entry = next((e for e in ctx.content.faq if e.id == entry_id), None)
    return None if entry is None else [faq_reply(ctx, entry)]


def faq_reply(ctx: Context, entry: FaqEntry) -> Reply:
    """The answer, with a button to open the first related lesson still in the curriculum."""
    text = entry.answer.strip()
    related = next((found for found in map(ctx.content.lesson, entry.lessons) if found), None)
    if related is None:
        return Reply(text)
    track, index = related
    lesson = track.lessons[index]
    text += f"\n(Related lesson: {lesson.title}. Type lesson {lesson.id} to open it.)"
    return Reply(text, (Choice(f"Open: {lesson.title}", encode(Typed(f"lesson {lesson.id}"))),))
