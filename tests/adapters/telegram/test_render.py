"""Telegram's limits on what a message may carry, against everything the coach can offer."""

from __future__ import annotations

from zoneinfo import available_timezones

from coachbot_telegram.render import DATA_LIMIT, decode_action, render, split_text, utf16_length

from coachbot.content import Content
from coachbot.conversation.onboarding import TIME_PRESETS
from coachbot.learning.render import lesson_reply
from coachbot.messages import Choice, Reply


def every_action(content: Content) -> list[str]:
    actions = [c.action for t in content.tracks for i in range(len(t.lessons))
               for c in lesson_reply(t, i).choices]
    actions += [f"track:{t.id}" for t in content.tracks] + [f"faq:{e.id}" for e in content.faq]
    actions += [f"tz:{zone}" for zone in available_timezones()] + [f"time:{t}" for t in TIME_PRESETS]
    return [*actions, "forget:yes", "forget:no"]


def test_every_button_the_coach_offers_fits_in_callback_data(content: Content) -> None:
    too_long = [a for a in every_action(content) if len(a.encode()) > DATA_LIMIT]
    assert too_long == []


def test_a_longer_action_falls_back_to_its_number() -> None:
    long = "faq:" + "x" * 80
    parts = render(Reply("Pick one:", (Choice("Short", "faq:a"), Choice("Long", long))))
    keyboard = parts[-1].keyboard
    assert keyboard is not None
    data = [b.callback_data for row in keyboard.inline_keyboard for b in row]
    assert data == ["faq:a", "#2"]
    assert decode_action("#2") == (None, "2")  # read as typing 2: the second choice offered
    assert decode_action("faq:a") == ("faq:a", "")


def test_long_text_splits_under_the_limit_counting_as_telegram_does() -> None:
    text = "🙂" * 3000  # two UTF-16 units each: 6000 units, no spaces to cut at
    pieces = split_text(text)
    assert [utf16_length(p) for p in pieces] == [4096, 1904]
    assert "".join(pieces) == text


def test_long_choice_labels_are_listed_in_the_text_and_numbered_on_buttons() -> None:
    question = "How do I keep going when nobody replies to anything I post online?"
    parts = render(Reply("I'm not sure which of these you mean. Pick one:",
                         (Choice(question, "faq:a"), Choice("Other", "faq:b"))))
    assert f"1. {question}" in parts[-1].text
    keyboard = parts[-1].keyboard
    assert keyboard is not None
    assert [b.text for row in keyboard.inline_keyboard for b in row] == ["1", "2"]
