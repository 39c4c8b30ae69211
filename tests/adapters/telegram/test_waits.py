"""On Telegram, a lesson left open waits: the note has an inline button that opens it again."""

from __future__ import annotations

from datetime import timedelta

from tests.adapters.telegram.conftest import Harness, buttons, texts
from tests.adapters.telegram.test_journey import bold, onboard, title_of


async def test_the_waiting_note_opens_its_lesson_and_next_asks_with_buttons(telegram: Harness) -> None:
    ann = telegram.person(1001, "Ann")
    await onboard(ann)  # 21:00 in Tokyo: the first lesson now, left unanswered
    await telegram.advance(timedelta(hours=12, minutes=5))

    note = ann.last()
    first = title_of(telegram.app, "basics-1")
    assert f'"{first}" is still waiting for you' in note["text"]
    assert [(b["text"], b["callback_data"]) for b in buttons(note)] == [
        ("Open the lesson", "cmd:lesson basics-1")]
    opened = await ann.press(note, "Open the lesson")
    assert bold(opened[-1])[0] == first and len(buttons(opened[-1])) == 3  # its check-in again

    asked = (await ann.say("/next"))[-1]
    assert [b["text"] for b in buttons(asked)] == ["Mark it done", "Set it aside"]
    moved_on = await ann.press(asked, "Set it aside")
    assert "Set aside" in texts(moved_on)
    assert bold(moved_on[-1])[0] == title_of(telegram.app, "basics-2")
