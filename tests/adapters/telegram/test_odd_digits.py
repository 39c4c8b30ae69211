"""Digits that str.isdigit() accepts but int() refuses, in Telegram's deep links and buttons."""

from __future__ import annotations

from tests.adapters.telegram.conftest import Harness, texts


async def test_a_deep_link_with_a_superscript_group_id_still_starts(telegram: Harness) -> None:
    ann = telegram.person(501, "Ann")
    sent = await ann.say("/start g²")
    assert "What brings you here?" in texts(sent)


async def test_button_data_with_odd_digits_is_answered(telegram: Harness) -> None:
    ann = telegram.person(502, "Ann")
    for text in ("/start", "1", "1", "Tokyo", "09:00", "3"):  # onboarded: no question is waiting
        await ann.say(text)
    question = ann.last()
    for data in ("#²", "#" + "9" * 5_000, "answer:basics-1:²", "cmd:²"):
        before = len(ann.inbox())
        await telegram.run(telegram.fake.callback_update(ann.me, question, data))
        assert texts(ann.inbox()[before:]).strip(), data  # the coach answered the press
    sent = await ann.say("²")
    assert texts(sent).strip()
