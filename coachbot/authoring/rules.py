"""Check-in and size rules: answers that can't be guessed, lessons that fit a phone screen and
every installed platform's largest message."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Sequence

from coachbot.content.errors import ContentProblem
from coachbot.content.models import CheckIn, Content, Lesson, Track
from coachbot.learning.render import lesson_reply
from coachbot.platform import PlatformProfile

# A learner who always picks the same number, or always the longest option, must not do well.
MAX_BEST_SHARE = 0.4
MAX_LONGEST_SHARE = 0.5
# Read on a phone in one go: the whole lesson as sent, and the check-in with its options.
LESSON_CHARS = 1200
CHECKIN_CHARS = 350


def numbered(labels: list[str]) -> str:
    return "\n".join(f"{n}. {label}" for n, label in enumerate(labels, 1))


def as_sent(track: Track, index: int) -> str:
    """The lesson as a learner reads it: the message, then its choices numbered."""
    reply = lesson_reply(track, index)
    return f"{reply.text}\n\n{numbered([choice.label for choice in reply.choices])}"


def checkin_as_sent(checkin: CheckIn) -> str:
    """The check-in question with its options, as numbered on screen."""
    return f"{checkin.question}\n{numbered([choice.text for choice in checkin.choices])}"


def best_index(checkin: CheckIn) -> int:
    return next(i for i, choice in enumerate(checkin.choices) if choice.best)


def best_is_longest(checkin: CheckIn) -> bool:
    """Whether the best option is at least as long as every other one."""
    lengths = [len(choice.text) for choice in checkin.choices]
    return lengths[best_index(checkin)] == max(lengths)


def allowed(count: int, share: float) -> int:
    """How many of `count` check-ins may share a trait: `share` of them, rounded, at least 2."""
    return max(2, math.floor(count * share + 0.5))


def guessing_problems(content: Content, track: Track) -> Iterator[ContentProblem]:
    """Where the best answer sits, and whether it is the longest, must not give it away."""
    checkins = [lesson.checkin for lesson in track.lessons if not lesson.checkin.is_reflection]
    if not checkins:
        return
    most = allowed(len(checkins), MAX_BEST_SHARE)
    for position, times in sorted(Counter(best_index(c) + 1 for c in checkins).items()):
        if times > most:
            yield content.problem(track.id, "lessons", (
                f"choice {position} is the best answer in {times} of {len(checkins)} check-ins; "
                f"at most {most} (about {MAX_BEST_SHARE:.0%}), or always picking {position} "
                "scores well"))
    longest = sum(best_is_longest(c) for c in checkins)
    most = allowed(len(checkins), MAX_LONGEST_SHARE)
    if longest > most:
        yield content.problem(track.id, "lessons", (
            f"the best answer is the longest option in {longest} of {len(checkins)} check-ins; "
            f"at most {most} (about half): make the best one about as long as the others"))


def platform_problems(content: Content, key: str, field: str, text: str,
                      platforms: Sequence[PlatformProfile]) -> Iterator[ContentProblem]:
    """A message must arrive whole on every installed platform, as each one counts its length."""
    for platform in platforms:
        if platform.largest_message is None:
            continue
        length = platform.measure(text)
        if length > platform.largest_message:
            yield content.problem(key, field, (
                f"{length:,} {platform.unit} as sent on {platform.title}, which takes at most "
                f"{platform.largest_message:,} in one message"))


def size_problems(content: Content, track: Track, index: int,
                  platforms: Sequence[PlatformProfile] = ()) -> Iterator[ContentProblem]:
    lesson: Lesson = track.lessons[index]
    field = f"lessons[{index}]"
    text = as_sent(track, index)
    yield from platform_problems(content, lesson.id, field, text, platforms)
    sent = len(text)
    if sent > LESSON_CHARS:
        yield content.problem(lesson.id, field, (
            f"{sent} characters as sent; at most {LESSON_CHARS} so it reads on a phone in one go "
            f"(shorten the body, the try-this or the check-in)"))
    if not lesson.checkin.is_reflection:
        asked = len(checkin_as_sent(lesson.checkin))
        if asked > CHECKIN_CHARS:
            yield content.problem(lesson.id, f"{field}.checkin", (
                f"{asked} characters with its options; at most {CHECKIN_CHARS}"))
