"""A review on Telegram: its choices in the learner's own order, scored by the button pressed."""

from __future__ import annotations

import copy
from datetime import timedelta

from coachbot.bootstrap import App
from tests.adapters.telegram.conftest import Harness, button_data, buttons, texts
from tests.adapters.telegram.test_journey import best_answer, onboard


async def test_the_right_answer_is_scored_right_wherever_the_review_shows_it(
        telegram: Harness, app: App) -> None:
    ann = telegram.person(1001, "Ann")
    lesson = await onboard(ann)  # 21:00 in Tokyo, the lesson of the day
    best = best_answer(app, "basics-1")
    assert "Good call." in texts(await ann.press(lesson, best))
    await telegram.advance(timedelta(days=1, hours=13))  # Wednesday 10:00 in Tokyo

    review = ann.last()
    assert review["text"].startswith('A quick look back at "Pick one place to begin":')
    lesson_line = next(line for line in lesson["text"].splitlines() if line.endswith(best))
    review_line = next(line for line in review["text"].splitlines() if line.endswith(best))
    assert lesson_line.split(".")[0] != review_line.split(".")[0]  # another number this time
    number = review_line.split(".")[0]
    assert button_data(review, number) == button_data(review, best)
    assert [b["text"] for b in buttons(review)] == ["1", "2", "3"]

    stale = copy.deepcopy(review)  # as a phone that has not seen the edit yet shows it
    scored = texts(await ann.press(review, best))
    assert "Good call." in scored and "comes back in 7 days" in scored
    assert f"✓ {number}. {best}" in ann.inbox()[-2]["text"]  # the review shows what was picked
    assert "You've already answered this review" in texts(await ann.press(stale, best))
