"""A review in a Slack DM: its choices in the learner's own order, scored by the button pressed."""

from __future__ import annotations

from coachbot.clock import SimulatedClock
from coachbot.content import Content
from coachbot.delivery.service import DeliveryService
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.kit import ANN, Workspace, answer, buttons, dm_of, evening, onboard


async def test_the_right_answer_is_scored_right_wherever_the_review_shows_it(
        workspace: Workspace, fake: FakeSlack, delivery: DeliveryService, clock: SimulatedClock,
        content: Content) -> None:
    first = await onboard(workspace, fake)
    right = answer(content, first)  # "answer:<lesson>:<its index in the content>"
    await workspace.press(ANN, first, right)
    await evening(delivery, clock, "2026-03-04")

    review = fake.posts(dm_of(ANN))[-1]
    assert review.args["text"].startswith("A quick look back at")
    lesson_id, index = right.split(":")[1:]
    shown = buttons(review.args["blocks"])
    values = [b["value"] for b in shown]
    shown_at = values.index(f"review:{lesson_id}:{index}")
    assert shown_at != int(index)  # the best answer sits elsewhere than in the lesson
    found = content.lesson(lesson_id)
    assert found is not None
    best = next(c.text for c in found[0].lessons[found[1]].checkin.choices if c.best)
    assert shown[shown_at]["text"]["text"] == best

    await workspace.press(ANN, review, values[shown_at])
    scored = workspace.text_of(review)
    assert "Good call." in scored and "comes back in 7 days" in scored
