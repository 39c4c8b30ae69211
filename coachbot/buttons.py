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
class Typed:
    """A button that stands for typing `text` (a command, usually)."""

    text: str


@dataclass(frozen=True)
class Unknown:
    raw: str


Action = Answer | Done | PickTrack | PickZone | PickTime | Forget | FaqTopic | Typed | Unknown


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
    simple: dict[str, type[Done] | type[PickTrack] | type[PickZone] | type[PickTime] | type[FaqTopic]
                 | type[Typed]] = {"done": Done, "track": PickTrack, "tz": PickZone, "time": PickTime,
                                   "faq": FaqTopic, "cmd": Typed}
    if kind in simple and rest:
        return simple[kind](rest)
    if kind == "forget" and rest in ("yes", "no"):
        return Forget(rest == "yes")
    return Unknown(data)
