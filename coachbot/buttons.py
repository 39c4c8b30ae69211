"""Button data, encoded and decoded in one place for every platform.

A button sends back a short string such as `answer:first-week-1:2` or `cmd:progress`;
`encode` writes one, `decode` reads one into a typed action (Unknown when it is stale or
malformed, so the coach can say the button has expired).
"""

from __future__ import annotations

from dataclasses import dataclass

from coachbot.textinput import as_number


@dataclass(frozen=True)
class Answer:
    lesson_id: str
    index: int


@dataclass(frozen=True)
class Done:
    lesson_id: str


@dataclass(frozen=True)
class PickTrack:
    track_id: str


@dataclass(frozen=True)
class PickZone:
    zone: str


@dataclass(frozen=True)
class PickTime:
    hhmm: str


@dataclass(frozen=True)
class Forget:
    confirmed: bool


@dataclass(frozen=True)
class FaqTopic:
    entry_id: str


@dataclass(frozen=True)
class PickPurpose:
    """What brings the learner here: an audience id of the content."""

    purpose: str


@dataclass(frozen=True)
class NextChoice:
    """`next` with a lesson open: mark it done first ("done") or set it aside ("aside")."""

    lesson_id: str
    choice: str


@dataclass(frozen=True)
class FollowUpAnswer:
    """How a lesson's "try this" went: "response", "nothing" or "not-yet"."""

    lesson_id: str
    outcome: str


@dataclass(frozen=True)
class ReviewAnswer:
    """A choice of a check-in under review, by its index in the content (not as shown)."""

    lesson_id: str
    index: int


@dataclass(frozen=True)
class Rate:
    """A confidence rating, 1 to 5, at the start or the end of a track."""

    track_id: str
    moment: str
    score: int


@dataclass(frozen=True)
class Typed:
    """A button that stands for typing `text` (a command, usually)."""

    text: str


@dataclass(frozen=True)
class Unknown:
    raw: str


Action = (Answer | Done | PickTrack | PickZone | PickTime | Forget | FaqTopic | PickPurpose
          | NextChoice | FollowUpAnswer | ReviewAnswer | Rate | Typed | Unknown)
OUTCOMES = ("response", "nothing", "not-yet")


def encode(action: Action) -> str:
    match action:
        case Answer(lesson_id, index):
            return f"answer:{lesson_id}:{index}"
        case Done(lesson_id):
            return f"done:{lesson_id}"
        case PickTrack(track_id):
            return f"track:{track_id}"
        case PickZone(zone):
            return f"tz:{zone}"
        case PickTime(hhmm):
            return f"time:{hhmm}"
        case Forget(confirmed):
            return f"forget:{'yes' if confirmed else 'no'}"
        case FaqTopic(entry_id):
            return f"faq:{entry_id}"
        case PickPurpose(purpose):
            return f"purpose:{purpose}"
        case NextChoice(lesson_id, choice):
            return f"nextch:{lesson_id}:{choice}"
        case FollowUpAnswer(lesson_id, outcome):
            return f"tried:{lesson_id}:{outcome}"
        case ReviewAnswer(lesson_id, index):
            return f"review:{lesson_id}:{index}"
        case Rate(track_id, moment, score):
            return f"rate:{track_id}:{moment}:{score}"
        case Typed(text):
            return f"cmd:{text}"
        case Unknown(raw):
            return raw


def decode(data: str) -> Action:
    kind, _, rest = data.partition(":")
    if kind == "answer":
        lesson_id, _, index = rest.rpartition(":")
        number = as_number(index)
        return Answer(lesson_id, number) if lesson_id and number is not None else Unknown(data)
    if kind == "review":
        lesson_id, _, index = rest.rpartition(":")
        number = as_number(index)
        return ReviewAnswer(lesson_id, number) if lesson_id and number is not None else Unknown(data)
    if kind in ("nextch", "tried"):
        lesson_id, _, choice = rest.rpartition(":")
        if kind == "nextch" and lesson_id and choice in ("done", "aside"):
            return NextChoice(lesson_id, choice)
        if kind == "tried" and lesson_id and choice in OUTCOMES:
            return FollowUpAnswer(lesson_id, choice)
        return Unknown(data)
    if kind == "rate":
        head, _, score = rest.rpartition(":")
        track_id, _, moment = head.rpartition(":")
        number = as_number(score)
        if track_id and moment in ("start", "end") and number is not None and 1 <= number <= 5:
            return Rate(track_id, moment, number)
        return Unknown(data)
    simple: dict[str, type[Done] | type[PickTrack] | type[PickZone] | type[PickTime] | type[FaqTopic]
                 | type[PickPurpose] | type[Typed]] = {
        "done": Done, "track": PickTrack, "tz": PickZone, "time": PickTime, "faq": FaqTopic,
        "purpose": PickPurpose, "cmd": Typed}
    if kind in simple and rest:
        return simple[kind](rest)
    if kind == "forget" and rest in ("yes", "no"):
        return Forget(rest == "yes")
    return Unknown(data)
