"""One turn: what the incoming message is, and what the learner's state does with it.

The table at the bottom is the whole conversation: for each state, which kind of input it
accepts and what that does. A new dialogue (a follow-up, a review) is a new state and a new
row, never a branch inside another handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from coachbot.buttons import (
    Answer,
    Done,
    FaqTopic,
    FollowUpAnswer,
    Forget,
    NextChoice,
    PickPurpose,
    PickTime,
    PickTrack,
    PickZone,
    Rate,
    ReviewAnswer,
    Typed,
    Unknown,
    decode,
)
from coachbot.conversation import (
    account,
    checkin,
    commands,
    confidence,
    followups,
    lessons,
    onboarding,
    path,
    questions,
    reviews,
    tracks,
)
from coachbot.conversation.commands import Parsed
from coachbot.conversation.context import Context
from coachbot.learning.confidence import SCORES
from coachbot.learning.state import (
    AwaitingCheckin,
    ChoosingNext,
    ConfirmingForget,
    FollowingUp,
    Idle,
    Onboarding,
    RatingConfidence,
    Reviewing,
    State,
)
from coachbot.messages import Reply
from coachbot.store.repository import decode_choices
from coachbot.textinput import as_number

EXPIRED = "That button has expired. Type help to see what I can do."
NOTHING = "I didn't catch anything there. Type help to see what I can do, or ask me a question."


# -- what came in ------------------------------------------------------------------------

@dataclass(frozen=True)
class Command:
    parsed: Parsed


@dataclass(frozen=True)
class UnknownCommand:
    parsed: Parsed


@dataclass(frozen=True)
class Number:
    value: int


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Button:
    data: str


Input = Command | UnknownCommand | Number | Text | Button


def classify(text: str, action: str | None) -> Input:
    if action is not None:
        return Button(action)
    parsed = commands.parse(text)
    if parsed.command is not None:
        return Command(parsed)
    if parsed.unknown:
        return UnknownCommand(parsed)
    number = as_number(text)
    return Number(number) if number is not None else Text(text.strip())


# -- the same in every state ---------------------------------------------------------------

async def run_command(ctx: Context, state: State, given: Input) -> list[Reply]:
    assert isinstance(given, Command)
    return await commands.run(ctx, given.parsed)


async def unknown_command(ctx: Context, state: State, given: Input) -> list[Reply]:
    assert isinstance(given, UnknownCommand)
    return [commands.unknown_reply(given.parsed)]


async def pick_number(ctx: Context, state: State, given: Input) -> list[Reply]:
    """A number picks one of the choices offered last, as if its button were pressed."""
    assert isinstance(given, Number)
    offered = decode_choices(ctx.learner.choices)
    if 1 <= given.value <= len(offered):
        return await press(ctx, state, Button(offered[given.value - 1]))
    if offered:
        return [Reply(f"Pick a number from 1 to {len(offered)}, or type help.")]
    return [Reply("There's nothing to choose right now. Type help to see what I can do.")]


async def free_text(ctx: Context, state: State, given: Input) -> list[Reply]:
    assert isinstance(given, Text)
    if not given.text:
        return [Reply(NOTHING)]
    return await questions.answer(ctx, given.text)


async def press(ctx: Context, state: State, given: Input) -> list[Reply]:
    """A button: what it does may depend on the state (an onboarding answer, a confirmation)."""
    assert isinstance(given, Button)
    match decode(given.data):
        case Answer(lesson_id, index):
            return await lessons.answer_checkin(ctx, lesson_id, index)
        case Done(lesson_id):
            return await lessons.complete(ctx, lesson_id)
        case NextChoice(lesson_id, choice):
            return await lessons.choose_next(ctx, lesson_id, choice)
        case ReviewAnswer(lesson_id, index):
            return await reviews.answer(ctx, state, lesson_id, index)
        case PickPurpose(purpose) if state == Onboarding("purpose"):
            return await onboarding.answer(ctx, "purpose", purpose)
        case PickPurpose(purpose):
            return await path.choose(ctx, purpose)
        case Rate(track_id, moment, score):
            rated = await confidence.rate(ctx, track_id, "start" if moment == "start" else "end", score)
            if rated is not None:
                return rated
        case PickTrack(track_id) if state == Onboarding("track"):
            return await onboarding.answer(ctx, "track", track_id)
        case PickTrack(track_id):
            return await tracks.switch_track(ctx, (track_id,))
        case PickZone(zone) if state == Onboarding("tz"):
            return await onboarding.answer(ctx, "tz", zone)
        case PickZone(zone):
            return await tracks.zone(ctx, (zone,))
        case PickTime(hhmm) if state == Onboarding("time"):
            return await onboarding.answer(ctx, "time", hhmm)
        case PickTime(hhmm):
            return await tracks.set_time(ctx, (hhmm,))
        case Forget(confirmed):
            return await account.pressed(ctx, confirmed, confirming=isinstance(state, ConfirmingForget))
        case FollowUpAnswer(lesson_id, outcome):
            return await followups.answer(ctx, lesson_id, outcome)
        case FaqTopic(entry_id):
            answer = questions.topic(ctx, entry_id)
            if answer is not None:
                return answer
        case Typed(text):
            given_text = classify(text, None)
            return await TABLE[type(state)][type(given_text)](ctx, state, given_text)
        case Unknown():
            pass
    return [Reply(EXPIRED, rejected_action=True)]


# -- onboarding ----------------------------------------------------------------------------

async def onboarding_text(ctx: Context, state: State, given: Input) -> list[Reply]:
    """An answer to the onboarding question; a question of the learner's own is answered first."""
    assert isinstance(state, Onboarding) and isinstance(given, Text)
    if questions.looks_like_question(given.text):
        return [*await questions.answer(ctx, given.text), onboarding.ask(ctx, state.step)]
    return await onboarding.answer(ctx, state.step, given.text)


async def then_continue_onboarding(ctx: Context, state: State, given: Input) -> list[Reply]:
    """Run a command mid-onboarding, then say how to carry on with setting up."""
    assert isinstance(state, Onboarding)
    replies = await IDLE_ROW[type(given)](ctx, state, given)
    if ctx.forgotten or ctx.state != state:
        return replies
    question = onboarding.ask(ctx, state.step)
    if not replies or replies[-1].text != question.text:  # `start` has just asked it
        replies.append(question)
    return replies


# -- an open check-in ----------------------------------------------------------------------

async def checkin_text(ctx: Context, state: State, given: Input) -> list[Reply]:
    """Free text answers an open reflection; otherwise it is a question like any other."""
    assert isinstance(state, AwaitingCheckin) and isinstance(given, Text)
    saved = await lessons.reflection(ctx, state.lesson_id, given.text)
    return saved if saved is not None else await free_text(ctx, state, given)


# -- `next` asked: done first, or set aside? ------------------------------------------------

async def leave_next_question(ctx: Context, state: State, given: Input) -> list[Reply]:
    """Anything but an answer leaves the question: the lesson's check-in is open again, and the
    command or text is taken as it would be there."""
    assert isinstance(state, ChoosingNext)
    checkin.reopen_checkin(ctx, state.lesson_id)
    return await TABLE[AwaitingCheckin][type(given)](ctx, ctx.state, given)


# -- an open follow-up --------------------------------------------------------------------

async def followup_text(ctx: Context, state: State, given: Input) -> list[Reply]:
    """A few words say how the try-this went; a question goes to the FAQ and it stays open."""
    assert isinstance(state, FollowingUp) and isinstance(given, Text)
    if not given.text or questions.looks_like_question(given.text):
        return await free_text(ctx, state, given)
    kept = await followups.note(ctx, state.lesson_id, given.text)
    return kept if kept is not None else await free_text(ctx, state, given)


# -- a confidence question -----------------------------------------------------------------

async def rate_number(ctx: Context, state: State, given: Input) -> list[Reply]:
    """A typed number is the rating, whatever buttons were offered last."""
    assert isinstance(state, RatingConfidence) and isinstance(given, Number)
    rated = None
    if given.value in SCORES:
        rated = await confidence.rate(ctx, state.track_id, state.moment, given.value)
    return rated or [Reply(ctx.content.coaching.confidence.pick)]


# -- confirming forget -------------------------------------------------------------------

async def confirm_forget(ctx: Context, state: State, given: Input) -> list[Reply]:
    """Only an explicit yes deletes; anything else keeps the data and says so."""
    assert isinstance(given, Text)
    if account.is_yes(given.text):
        return await account.forget_confirmed(ctx)
    return [account.keep(ctx)]


async def keep_data(ctx: Context, state: State, given: Input) -> list[Reply]:
    return [account.keep(ctx)]


async def keep_then_run(ctx: Context, state: State, given: Input) -> list[Reply]:
    """Anything but an answer to the question leaves it: nothing is deleted, and it runs."""
    if isinstance(given, Button) and isinstance(decode(given.data), Forget):
        return await press(ctx, state, given)
    kept = account.keep(ctx)
    return [kept, *await IDLE_ROW[type(given)](ctx, ctx.state, given)]


Step = Callable[[Context, State, Input], Awaitable[list[Reply]]]

IDLE_ROW: Mapping[type, Step] = {
    Command: run_command, UnknownCommand: unknown_command, Number: pick_number, Text: free_text,
    Button: press,
}
TABLE: Mapping[type, Mapping[type, Step]] = {
    Idle: IDLE_ROW,
    Onboarding: {Command: then_continue_onboarding, UnknownCommand: then_continue_onboarding,
                 Number: pick_number, Text: onboarding_text, Button: press},
    AwaitingCheckin: {**IDLE_ROW, Text: checkin_text},
    ChoosingNext: {Command: leave_next_question, UnknownCommand: leave_next_question,
                   Number: pick_number, Text: leave_next_question, Button: leave_next_question},
    FollowingUp: {**IDLE_ROW, Text: followup_text},
    # A typed number answers the review (its choices are the ones offered last); a question
    # typed meanwhile is answered as ever, and the review stays open.
    Reviewing: IDLE_ROW,
    RatingConfidence: {**IDLE_ROW, Number: rate_number},
    ConfirmingForget: {Command: keep_then_run, UnknownCommand: keep_then_run, Number: keep_data,
                       Text: confirm_forget, Button: keep_then_run},
}


async def respond(ctx: Context, text: str, action: str | None) -> list[Reply]:
    state = ctx.state
    given = classify(text, action)
    return await TABLE[type(state)][type(given)](ctx, state, given)
