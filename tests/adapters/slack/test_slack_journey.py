"""A newcomer's first week with the coach in a Slack DM, driven through signed HTTP requests."""

from __future__ import annotations

from coachbot.bootstrap import App
from coachbot.clock import SimulatedClock
from coachbot.content import Content
from coachbot.delivery.service import DeliveryService
from tests.adapters.slack.fake_slack import Call, FakeSlack
from tests.adapters.slack.kit import (
    ANN,
    NEW_YORK,
    Workspace,
    answer,
    buttons,
    dm_of,
    evening,
    lessons,
    onboard,
    texts,
)


def today_id(lesson: Call) -> str:
    """The id of the lesson a posted lesson message shows (its check-in buttons carry it)."""
    return str(buttons(lesson.args["blocks"])[0]["value"]).split(":")[1]


QUESTIONS = ("should I post every day", "how often should I post", "what should I post",
             "is it bad to post", "should I delete my post", "my posts and my followers",
             "what do I write", "how do I reply")


async def test_a_newcomers_week_in_a_direct_message(workspace: Workspace, fake: FakeSlack,
                                                    delivery: DeliveryService, clock: SimulatedClock,
                                                    content: Content) -> None:
    first = await onboard(workspace, fake)
    assert "lesson 1 of" in texts(first.args["blocks"])
    await workspace.press(ANN, first, answer(content, first))
    answered = workspace.text_of(first)
    assert "Good call" in answered and "Streak: 1 day" in answered
    assert first.args["blocks"][0]["text"]["text"] in answered  # the lesson stays readable
    assert buttons(workspace.current_blocks(first)) == []

    days = ["2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08"]
    for day in days:
        await evening(delivery, clock, day)
        today = lessons(fake, dm_of(ANN))[-1]
        if day == "2026-03-03":  # a wrong answer gets the explanation and the best move
            await workspace.press(ANN, today, answer(content, today, best=False))
            assert "Not quite" in workspace.text_of(today)
        elif day == "2026-03-04":  # the answer typed as a number works like the button
            extra = fake.posts(dm_of(ANN))[-1]  # the day's extra came second: a review today
            assert extra.args["text"].startswith("A quick look back")
            await workspace.press(ANN, extra, buttons(extra.args["blocks"])[0]["value"])
            number = int(answer(content, today).rsplit(":", 1)[1]) + 1  # once it is answered
            assert "Good call" in (await workspace.dm(ANN, str(number)))[-1].args["text"]
        elif day == "2026-03-06":  # a day off: nothing answered
            pass
        elif day == "2026-03-07":  # no new lesson: a note that Friday's waits, with a button to open it
            note, extra = fake.posts(dm_of(ANN))[-2:]  # then the day's extra, a follow-up
            assert "is still waiting for you" in note.args["text"]
            assert "try-this" in extra.args["text"]
            assert [(b["text"]["text"], b["value"]) for b in buttons(note.args["blocks"])] == [
                ("Open the lesson", f"cmd:lesson {today_id(today)}")]
            await workspace.press(ANN, today, answer(content, today))  # Friday's, on Saturday
        else:
            await workspace.press(ANN, today, answer(content, today))

    delivered = lessons(fake, dm_of(ANN))
    assert [c.at.astimezone(NEW_YORK).strftime("%a %H:%M") for c in delivered[1:] if c.at] == [
        "Tue 18:00", "Wed 18:00", "Thu 18:00", "Fri 18:00", "Sun 18:00"]  # DST on Sunday
    positions = [next(line for line in texts(c.args["blocks"]).splitlines() if "lesson " in line)
                 for c in delivered]
    track = content.track("replies")
    assert track is not None
    total = len(track.lessons)
    assert positions == [f"Replies that start conversations · lesson {n} of {total}" for n in range(1, 7)]

    progress = (await workspace.dm(ANN, "/coach progress"))[-1].args["text"]
    assert f"6 of {total} lessons done" in progress
    assert "Streak: 6 days (a missed day was forgiven)" in progress
    assert "Next lesson: tomorrow at 18:00 (America/New_York)" in progress


async def test_plain_text_goes_to_the_faq_with_buttons_to_pick_from(
        workspace: Workspace, fake: FakeSlack, content: Content, app: App) -> None:
    entry = content.faq[0]
    answer_post = (await workspace.dm(ANN, entry.question))[-1]
    assert entry.answer.strip()[:60] in answer_post.args["text"]

    unclear = next(q for q in QUESTIONS if app.coach.faq.match(q).ambiguous
                   and app.coach.faq.match(q).candidates)  # one the FAQ cannot tell apart
    offered = (await workspace.dm(ANN, unclear))[-1]
    assert any(b["value"].startswith("faq:") for b in buttons(offered.args.get("blocks") or []))
    value = next(b["value"] for b in buttons(offered.args["blocks"]) if b["value"].startswith("faq:"))
    picked = next(e for e in content.faq if e.id == value.removeprefix("faq:"))
    await workspace.press(ANN, offered, value)
    assert buttons(workspace.current_blocks(offered)) == []
    assert f"You picked: *{picked.question}*" in workspace.text_of(offered)
    assert picked.answer.strip()[:60] in fake.posts(dm_of(ANN))[-1].args["text"]


async def test_commands_work_with_or_without_the_slash_command(workspace: Workspace,
                                                               fake: FakeSlack) -> None:
    typed = (await workspace.dm(ANN, "help"))[-1].args["text"]
    assert await workspace.command(ANN, "") == 200  # a bare /coach shows help too
    assert await workspace.command(ANN, "help") == 200
    assert [c.args["text"] for c in fake.posts(dm_of(ANN))[-2:]] == [typed, typed]
    assert "tz <Area/City>" in typed
    await workspace.dm(ANN, "/coach tracks")
    assert "Tracks (type track <id> to switch" in fake.posts(dm_of(ANN))[-1].args["text"]


async def test_forget_asks_first_and_the_pressed_answer_replaces_the_buttons(
        workspace: Workspace, fake: FakeSlack) -> None:
    await workspace.dm(ANN, "start")
    question = (await workspace.dm(ANN, "forget"))[-1]
    assert {b["value"] for b in buttons(question.args["blocks"])} == {"forget:yes", "forget:no"}
    await workspace.press(ANN, question, "forget:no")
    shown = workspace.text_of(question)
    assert "You picked: *No, keep it*" in shown and "Nothing was deleted" in shown
    assert buttons(workspace.current_blocks(question)) == []
