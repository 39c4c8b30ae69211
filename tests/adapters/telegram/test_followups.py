"""The follow-up on a try-this on Telegram: its three answers are inline buttons that work."""

from __future__ import annotations

from datetime import timedelta

from tests.adapters.telegram.conftest import Harness, buttons, texts
from tests.adapters.telegram.test_journey import onboard


async def test_the_follow_up_arrives_with_three_buttons_and_a_press_answers_it(telegram: Harness) -> None:
    ann = telegram.person(1001, "Ann")
    await onboard(ann)
    await ann.say("/done")
    await telegram.advance(timedelta(days=1))
    asked = ann.last()
    assert str(asked["text"]).startswith("Yesterday's try-this: Open the network you know best")
    assert [b["text"] for b in buttons(asked)] == [
        "Tried it, got a response", "Tried it, nothing yet", "Didn't get to it"]
    answered = await ann.press(asked, "Tried it, got a response")
    assert texts(answered).splitlines() == [
        "Someone noticed your profile already. One clear sentence does that.",
        "Today's check-in is still open: reply with your answer whenever you like."]
    assert "You picked 1" in texts(await ann.say("1"))  # the number answers the lesson again
