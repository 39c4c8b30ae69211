"""A cohort lived through 60 days: what the coach sends of its own accord, per kind of learner.

Learners (default 1,000) in zones from UTC-12 to UTC+14, some of which change their clocks
during the run, onboard through the conversation (`start`, then the first offered answer to
every question, their own zone and delivery time) and then live through the days on a
simulated clock: the real coach, the real delivery service stepping from one due instant to
the next, a SQLite file (or --database-url), and a recording messenger at the network seam.

Each learner follows a profile and answers what arrives, some minutes to hours later in their
local daytime: a button is pressed (the best, the first or a random one), an open reflection
gets a sentence, and a message with nothing to answer sends them back to the lesson still
open. Replies that ask something (a check-in put back, a question after a lesson) are answered
the same way. Profiles: answers every day; answers some days (about half); silent after a
week; pauses on day 10 and resumes on day 20; stops on day 14. (In runs shorter than 60 days
those days shrink in proportion, so every profile still does what it is named for.)

It prints one row per profile: messages a day the coach sent of its own accord (outbox sends,
never replies) per learner and local day, mean and max, and learner-days with more than two;
lessons, reviews and follow-ups done (per learner); learners paused by the coach after
silence and the days from their last answer to that pause; and the rules, which must all be
0: messages in quiet hours (in the learner's zone), while paused, after `stop`, and
duplicates (an outbox row sent twice, or two messages of one kind to a learner on one local
day). It exits with 1 when a rule was broken.

The time goes into the delivery steps (about 33 a simulated day, whatever the size, each
planning every zone) and the learners' turns (about one a learner and day on a single track);
200 learners x 20 days took two minutes on two shared cores.

    python benchmarks/cohort.py [--learners 1000] [--days 60] [--seed 7] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import random
import sys
import tempfile
import time as timer
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from seeding import BENCH_ZONES, empty_tables
from sqlalchemy import Select, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.authoring.check import load_checked_content
from coachbot.bootstrap import App, build
from coachbot.buttons import (
    Action,
    Answer,
    Done,
    FaqTopic,
    FollowUpAnswer,
    Forget,
    PickTime,
    Rate,
    ReviewAnswer,
    Typed,
    Unknown,
    decode,
)
from coachbot.clock import SimulatedClock
from coachbot.content import Content
from coachbot.delivery.limits import Throttles
from coachbot.delivery.window import in_window
from coachbot.faq import LexicalMatcher
from coachbot.learning.state import Onboarding, parse_state
from coachbot.localtime import at_local, local_date
from coachbot.messages import Choice, Incoming, Outgoing, Reply
from coachbot.settings import Settings, default_content_dir, sqlite_url
from coachbot.store.database import make_engine, upgrade
from coachbot.store.models import FollowUp, Learner, LessonRecord, Pause, Review, Status
from coachbot.store.repository import Repository

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout: tests/ holds the fakes
from tests.fakes import RecordingMessenger

PLATFORM = "cohort"
# A Monday. In 60 days New York moves its clocks (8 March), Berlin and London (29 March),
# Sydney (5 April); the southern and tropical zones keep theirs.
START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
RUN_DAYS = 60  # the profiles' days are those of a run this long
ZONES = (*BENCH_ZONES, "Australia/Sydney")
# On the hour, four hours apart in pairs: a reminder (four hours after a lesson) comes due
# with other learners' lessons, so the clock stops at fewer instants and the run is quicker.
TIMES = ("08:00", "09:00", "12:00", "13:00", "16:00", "17:00", "19:00", "20:00")
DAYTIME = (time(7, 30), time(22, 0))  # when learners read and answer, in their own zone
DELAY_MINUTES = (5, 300)  # how long after a message arrives they get to it
MAX_QUESTIONS = 10  # onboarding questions answered before giving up on it
MAX_FOLLOW_ON = 3  # replies answered in a row after one answer of the learner's
SENTENCES = ("I tried it this morning and one person wrote back.",
             "It felt awkward at first, but the reply I got was kind.",
             "I did it on the way to work; nobody has answered yet.",
             "A small step: I left my first real comment under a post.")


@dataclass(frozen=True)
class Profile:
    """How one kind of learner behaves. Days count from the day they joined (day 0)."""

    name: str
    pick: Literal["best", "first", "random"]  # the button they press
    answer_share: float = 1.0  # of the days they answer at all
    silent_from: int | None = None  # from this day on they never answer
    commands: tuple[tuple[int, str], ...] = ()  # (day, what they type that day)


PROFILES = (
    Profile("answers every day", "best"),
    Profile("answers some days", "random", answer_share=0.5),
    Profile("silent after a week", "first", silent_from=7),
    Profile("pauses, comes back", "best", commands=((10, "pause"), (20, "resume"))),
    Profile("stops", "random", commands=((14, "stop"),)),
)


def scaled(day: int, days: int) -> int:
    """A profile's day in a run of `days`: itself in 60 days or more, in proportion below."""
    return max(1, round(day * min(1.0, days / RUN_DAYS)))


@dataclass
class Person:
    """One simulated learner: who they are, what they received, what they still have to read."""

    user: str
    profile: Profile
    zone: str
    at: str
    rng: random.Random
    answering: list[bool]  # by day since joining
    joins: datetime
    joined: date = date.min
    inbox: list[Reply] = field(default_factory=list)
    reading: bool = False  # a time to read the inbox is planned
    unanswered: dict[str, Reply] = field(default_factory=dict)  # lessons received, by id
    answered: set[str] = field(default_factory=set)
    spoke_on: list[date] = field(default_factory=list)  # the local day of every message they sent

    def received(self, reply: Reply) -> None:
        """Remember a lesson until it is answered (a reminder sends them back to it)."""
        if reply.lesson is not None and reply.lesson.lesson_id not in self.answered:
            self.unanswered.setdefault(reply.lesson.lesson_id, reply)

    def answer(self, lesson_id: str) -> None:
        self.answered.add(lesson_id)
        self.unanswered.pop(lesson_id, None)

    def answers_on(self, day: date) -> bool:
        index = (day - self.joined).days
        return 0 <= index < len(self.answering) and self.answering[index]

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(ZoneInfo(self.zone))

    def reading_time(self, arrived: datetime) -> datetime:
        """Some minutes to hours after `arrived`; at night, the next morning instead."""
        at = arrived + timedelta(minutes=self.rng.uniform(*DELAY_MINUTES))
        local = self.local(at)
        if DAYTIME[0] <= local.time() < DAYTIME[1]:
            return at
        morning = local.date() + timedelta(days=1) if local.time() >= DAYTIME[1] else local.date()
        return at_local(morning, DAYTIME[0], self.zone) + timedelta(minutes=self.rng.uniform(0, 120))


def people(count: int, days: int, seed: int) -> list[Person]:
    """`count` learners, the profiles taking turns, each in a zone and at a time of their own."""
    rng = random.Random(seed)
    cohort = []
    for i in range(count):
        profile = PROFILES[i % len(PROFILES)]
        own = random.Random(rng.getrandbits(64))
        silent = scaled(profile.silent_from, days) if profile.silent_from is not None else days + 2
        answering = [day < silent and own.random() < profile.answer_share for day in range(days + 2)]
        zone = ZONES[i % len(ZONES)]
        cohort.append(Person(f"c{i}", profile, zone, TIMES[(i // len(ZONES)) % len(TIMES)], own,
                             answering, joining_time(zone, own)))
    return cohort


def joining_time(zone: str, rng: random.Random) -> datetime:
    """A moment of the learner's daytime on the run's first day (in their zone)."""
    joins = at_local(local_date(START, zone), time(8 + rng.randrange(12), rng.randrange(60)), zone)
    return joins if joins >= START else joins + timedelta(days=1)


# -- what a learner does with a message ------------------------------------------------------

def pressable(action: Action, own: bool) -> bool:
    """Never deletion, an FAQ topic or a stale button; commands only from the coach's own messages."""
    if isinstance(action, Forget | FaqTopic | Unknown):
        return False
    return own or not isinstance(action, Typed)


def merit(content: Content, action: Action) -> int:
    """How good an answer a button is, for learners who press the best one."""
    if isinstance(action, Answer | ReviewAnswer):
        found = content.lesson(action.lesson_id)
        if found is None:
            return 0
        choices = found[0].lessons[found[1]].checkin.choices
        return int(0 <= action.index < len(choices) and choices[action.index].best)
    if isinstance(action, FollowUpAnswer):
        return int(action.outcome == "response")
    if isinstance(action, Rate):
        return action.score
    return 0


def is_reflection(reply: Reply) -> bool:
    """A lesson whose check-in is answered in words (its only button, if any, marks it done)."""
    return reply.lesson is not None and all(isinstance(decode(c.action), Done) for c in reply.choices)


@dataclass(frozen=True)
class Said:
    text: str = ""
    action: str | None = None


def reaction(person: Person, reply: Reply, own: bool, content: Content) -> Said | None:
    """What `person` sends back to `reply` (a message of the coach's own, or a reply), if anything."""
    view = reply.lesson
    if view is not None and view.lesson_id not in person.answered and is_reflection(reply):
        person.answer(view.lesson_id)
        return Said(text=person.rng.choice(SENTENCES))
    offered = [(c, decode(c.action)) for c in reply.choices]
    offered = [(c, action) for c, action in offered if pressable(action, own)]
    if offered:
        choice, action = pick(person, offered, content)
        if isinstance(action, Answer | Done):
            person.answer(action.lesson_id)
        return Said(action=choice.action)
    if own and person.unanswered:  # a reminder or a note: back to the latest lesson still open
        return reaction(person, person.unanswered.pop(list(person.unanswered)[-1]), own, content)
    return None


def pick(person: Person, offered: list[tuple[Choice, Action]], content: Content) -> tuple[Choice, Action]:
    if person.profile.pick == "random":
        return person.rng.choice(offered)
    if person.profile.pick == "best":
        return max(offered, key=lambda pair: merit(content, pair[1]))
    return offered[0]


def onboarding_answer(person: Person, replies: list[Reply]) -> Said:
    """The first offered answer to the question asked; their own time when asked for a time."""
    asked = next((r for r in reversed(replies) if r.choices), None)
    if asked is None:
        return Said(text="ok")
    if all(isinstance(decode(c.action), PickTime) for c in asked.choices):
        return Said(text=person.at)
    return Said(action=asked.choices[0].action)


# -- what is counted ------------------------------------------------------------------------

@dataclass
class Tally:
    """One profile's figures, from the messenger (as sent) and then from the database."""

    learners: int = 0
    learner_days: int = 0
    messages: int = 0
    busiest_day: int = 0
    over_two: int = 0
    quiet: int = 0
    while_paused: int = 0
    after_stop: int = 0
    duplicates: int = 0
    lessons: int = 0
    reviews: int = 0
    followups: int = 0
    pause_days: list[int] = field(default_factory=list)

    @property
    def broken(self) -> int:
        return self.over_two + self.quiet + self.while_paused + self.after_stop + self.duplicates


class Cohort:
    """The learners, the coach and its delivery on one simulated clock."""

    def __init__(self, app: App, clock: SimulatedClock, cohort: list[Person], days: int) -> None:
        self.app = app
        self.clock = clock
        self.people = {person.user: person for person in cohort}
        self.end = START + timedelta(days=days)
        self.days = days
        self.messenger = RecordingMessenger(PLATFORM)
        self.service = app.delivery({PLATFORM: self.messenger})
        self.events: list[tuple[datetime, int, str, str | None]] = []  # (at, seq, user, typed or read)
        self.seq = 0
        self.per_day: Counter[tuple[str, date]] = Counter()
        self.per_kind: Counter[tuple[str, str, date]] = Counter()
        self.rows_sent: Counter[tuple[str, str]] = Counter()  # (user, outbox row)
        self.tallies = {profile.name: Tally() for profile in PROFILES}
        self.steps = self.turns = self.sent = 0
        self.stepping = self.talking = 0.0  # seconds spent in delivery steps and in turns

    def plan(self, at: datetime, person: Person, typed: str | None) -> None:
        heapq.heappush(self.events, (at, self.seq, person.user, typed))
        self.seq += 1

    async def live(self) -> None:
        """Every learner's turns and every delivery step, in the order of the simulated clock."""
        for person in self.people.values():
            self.plan(person.joins, person, "start")
        wake = await self.step()
        while True:
            due = self.events[0][0] if self.events else None
            if due is not None and due < self.end and (wake is None or due <= wake):
                if await self.act():
                    wake = await self.service.next_wake()
            elif wake is not None and wake < self.end:
                self.clock.set(wake)
                wake = await self.step()
            else:
                return

    async def act(self) -> bool:
        """The learners' next event; True when it may have made something due sooner."""
        at, _, user, typed = heapq.heappop(self.events)
        self.clock.set(max(at, self.clock.now()))
        person = self.people[user]
        if typed is None:
            await self.read(person)
        else:
            await self.type(person, typed)
        queued = self.app.queued.pending  # a turn put something in the outbox to go now
        if queued:
            await self.app.queued.heard()
        return typed is not None or queued

    # -- the learners' side --------------------------------------------------------------

    async def say(self, person: Person, said: Said) -> list[Reply]:
        self.turns += 1
        person.spoke_on.append(local_date(self.clock.now(), person.zone))
        started = timer.perf_counter()
        replies = await self.app.coach.handle(Incoming(
            platform=PLATFORM, user_id=person.user, text=said.text, action=said.action,
            display_name=person.user.title(), timezone=person.zone))
        self.talking += timer.perf_counter() - started
        return replies

    async def type(self, person: Person, text: str) -> None:
        if text == "start":
            await self.onboard(person)
        else:
            await self.answer(person, await self.say(person, Said(text=text)), own=False)

    async def onboard(self, person: Person) -> None:
        replies = await self.say(person, Said(text="start"))
        for _ in range(MAX_QUESTIONS):
            if not await self.onboarding(person):
                break
            replies = await self.say(person, onboarding_answer(person, replies))
        now = self.clock.now()
        person.joined = local_date(now, person.zone)
        for day, text in person.profile.commands:
            moment = time(10 + person.rng.randrange(9), person.rng.randrange(60))
            self.plan(at_local(person.joined + timedelta(days=scaled(day, self.days)), moment, person.zone),
                      person, text)
        if person.answers_on(person.joined):
            await self.answer(person, replies, own=False)

    async def onboarding(self, person: Person) -> bool:
        async with self.app.sessions() as session:
            learner = await Repository(session).learner(PLATFORM, person.user)
        return learner is not None and isinstance(parse_state(learner.pending), Onboarding)

    async def read(self, person: Person) -> None:
        messages, person.inbox, person.reading = person.inbox, [], False
        await self.answer(person, messages, own=True)

    async def answer(self, person: Person, messages: list[Reply], own: bool, depth: int = 0) -> None:
        """Answer each message that asks something, buttons first and words last: a button
        works in any state, words go to whatever was asked last."""
        content = self.app.content
        for reply in sorted(messages, key=is_reflection):
            person.received(reply)
            said = reaction(person, reply, own, content)
            if said is not None:
                replies = await self.say(person, said)
                if depth < MAX_FOLLOW_ON:
                    await self.answer(person, replies, own=False, depth=depth + 1)

    # -- the coach's side ------------------------------------------------------------------

    async def step(self) -> datetime | None:
        """Plan and send what is due now, count it, hand it to its learner; the next due instant."""
        started = timer.perf_counter()
        held = await self.held_back()
        await self.service.step()
        self.steps += 1
        now = self.clock.now()
        for out in self.messenger.sent:
            self.arrive(out, now, held.get(out.chat_id))
        self.messenger.sent.clear()
        self.messenger.attempts.clear()
        wake = await self.service.next_wake()
        self.stepping += timer.perf_counter() - started
        return wake

    async def held_back(self) -> dict[str, str]:
        """The chats of learners paused or stopped before this step: nothing may reach them."""
        async with self.app.sessions() as session:
            rows = await session.execute(select(Learner.chat_id, Learner.status).where(
                Learner.platform == PLATFORM, Learner.status.in_([Status.PAUSED, Status.STOPPED])))
            return {chat: status for chat, status in rows}

    def arrive(self, out: Outgoing, now: datetime, held: str | None) -> None:
        person = self.people[out.chat_id]
        tally = self.tallies[person.profile.name]
        local = person.local(now)
        self.sent += 1
        self.per_day[person.user, local.date()] += 1
        self.per_kind[person.user, out.metadata.get("kind", ""), local.date()] += 1
        self.rows_sent[person.user, out.metadata.get("outbox_id", "")] += 1
        quiet = self.app.settings.quiet_hours
        tally.quiet += quiet is not None and in_window(local.time(), quiet)
        tally.while_paused += held == Status.PAUSED
        tally.after_stop += held == Status.STOPPED
        person.received(out.reply)
        if held is None and person.answers_on(local.date()):
            person.inbox.append(out.reply)
            if not person.reading:
                person.reading = True
                self.plan(person.reading_time(now), person, None)

    # -- the figures -----------------------------------------------------------------------

    async def figures(self) -> dict[str, Tally]:
        for person in self.people.values():
            tally = self.tallies[person.profile.name]
            tally.learners += 1
            last = local_date(self.end - timedelta(microseconds=1), person.zone)
            tally.learner_days += (last - person.joined).days + 1
        for (user, _), count in self.per_day.items():
            tally = self.tallies[self.people[user].profile.name]
            tally.messages += count
            tally.busiest_day = max(tally.busiest_day, count)
            tally.over_two += count > 2
        for sends in (self.per_kind, self.rows_sent):  # keyed by learner first
            for key, count in sends.items():
                self.tallies[self.people[key[0]].profile.name].duplicates += count - 1
        await self.stored()
        return self.tallies

    async def stored(self) -> None:
        """What the database holds about each learner at the end: done, reviewed, followed up."""
        async with self.app.sessions() as session:
            done = await per_learner(session, select(LessonRecord.learner_id, func.count())
                                     .where(LessonRecord.completed_at.is_not(None))
                                     .group_by(LessonRecord.learner_id))
            reviewed = await per_learner(session, select(Review.learner_id, func.sum(Review.done))
                                         .group_by(Review.learner_id))
            followed = await per_learner(session, select(FollowUp.learner_id, func.count())
                                         .where(FollowUp.outcome.is_not(None))
                                         .group_by(FollowUp.learner_id))
            paused_on = {learner_id: day for learner_id, day in await session.execute(
                select(Pause.learner_id, func.max(Pause.started_on)).group_by(Pause.learner_id))}
            learners = (await session.execute(
                select(Learner.id, Learner.platform_user_id, Learner.status, Learner.paused_reason)
                .where(Learner.platform == PLATFORM))).all()
        for learner_id, user, status, reason in learners:
            person = self.people[user]
            tally = self.tallies[person.profile.name]
            tally.lessons += done.get(learner_id, 0)
            tally.reviews += reviewed.get(learner_id, 0)
            tally.followups += followed.get(learner_id, 0)
            paused = paused_on.get(learner_id)
            # From the last day they wrote before the pause (a paused learner may still press an
            # old button afterwards: that is not what the pause waited for).
            before = [day for day in person.spoke_on if paused is not None and day < paused]
            if status == Status.PAUSED and reason == "silence" and paused is not None and before:
                tally.pause_days.append((paused - before[-1]).days)


async def per_learner(session: AsyncSession, query: Select[int, int]) -> dict[int, int]:
    """A count or sum by learner id."""
    return {learner_id: int(value or 0) for learner_id, value in await session.execute(query)}


# -- the run ----------------------------------------------------------------------------------

COLUMNS = ("profile", "learners", "msgs/day mean", "max", "days >2", "lessons", "reviews",
           "follow-ups", "auto-paused", "days to pause", "quiet hours", "while paused",
           "after stop", "duplicates")


def row(name: str, tally: Tally) -> list[str]:
    per = max(1, tally.learners)
    pause = (f"{sum(tally.pause_days) / len(tally.pause_days):.1f}" if tally.pause_days else "-")
    return [name, str(tally.learners), f"{tally.messages / max(1, tally.learner_days):.2f}",
            str(tally.busiest_day), str(tally.over_two), f"{tally.lessons / per:.1f}",
            f"{tally.reviews / per:.1f}", f"{tally.followups / per:.1f}", str(len(tally.pause_days)),
            pause, str(tally.quiet), str(tally.while_paused), str(tally.after_stop), str(tally.duplicates)]


def table(tallies: dict[str, Tally]) -> str:
    rows = [list(COLUMNS), *(row(name, tally) for name, tally in tallies.items())]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                               for i, (cell, w) in enumerate(zip(r, widths, strict=True))).rstrip()
                     for r in rows)


def clock_changes(days: int) -> list[str]:
    """The zones of the cohort whose clocks change during the run."""
    end = START + timedelta(days=days)
    return [zone for zone in ZONES
            if START.astimezone(ZoneInfo(zone)).utcoffset() != end.astimezone(ZoneInfo(zone)).utcoffset()]


def build_app(url: str, clock: SimulatedClock) -> App:
    """The app `coachbot run` builds, on this database and clock, with the lexical FAQ matcher."""
    content = load_checked_content(default_content_dir())
    return build(Settings(database_url=url), clock, default_zone="UTC", content=content,
                 matcher=LexicalMatcher(content.faq), engine=make_engine(url), throttles=Throttles())


async def run(args: argparse.Namespace, url: str) -> dict[str, Tally]:
    clock = SimulatedClock(START)
    app = build_app(url, clock)
    try:
        await empty_tables(app.engine)
        cohort = Cohort(app, clock, people(args.learners, args.days, args.seed), args.days)
        started = timer.perf_counter()
        await cohort.live()
        lived = timer.perf_counter() - started
        tallies = await cohort.figures()
    finally:
        await app.close()
    print(table(tallies))
    print("lessons, reviews and follow-ups: done per learner; msgs/day: the coach's own messages "
          "per learner and local day; days to pause: from the last answer to the coach's pause")
    names = ", ".join(f"{p.name} ({describe(p, args.days)})" for p in PROFILES)
    print(f"profiles: {names}")
    print(f"{args.learners:,} learners x {args.days} days from {START:%a %d %b %Y %H:%M} UTC, seed "
          f"{args.seed}, {len(app.content.tracks)} tracks; zones {', '.join(ZONES)} (clocks change "
          f"in {', '.join(clock_changes(args.days)) or 'none'}); delivery times {', '.join(TIMES)}; "
          f"quiet hours {quiet_text(app.settings)}")
    print(f"lived in {lived:.1f} s: {cohort.steps:,} delivery steps in {cohort.stepping:.1f} s "
          f"sending {cohort.sent:,} messages, {cohort.turns:,} turns in {cohort.talking:.1f} s; "
          f"database {database_text(url, args.database_url)}")
    return tallies


def describe(profile: Profile, days: int) -> str:
    parts = [f"answers {profile.answer_share:.0%} of days" if profile.answer_share < 1 else "answers",
             f"presses {'a' if profile.pick == 'random' else 'the'} {profile.pick} button"]
    if profile.silent_from is not None:
        parts.append(f"silent from day {scaled(profile.silent_from, days)}")
    parts += [f"{text} on day {scaled(day, days)}" for day, text in profile.commands]
    return ", ".join(parts)


def quiet_text(settings: Settings) -> str:
    quiet = settings.quiet_hours
    return "off" if quiet is None else f"{quiet[0]:%H:%M}-{quiet[1]:%H:%M} local"


def database_text(url: str, given: str | None) -> str:
    if given is None:
        return "a temporary SQLite file"
    return make_url(url).render_as_string(hide_password=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--days", type=int, default=RUN_DAYS)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", help="a database to run on (migrated, then emptied); "
                        "without it a temporary SQLite file")
    args = parser.parse_args()
    if args.learners < 1 or args.days < 1:
        parser.error("--learners and --days must be at least 1")
    started = timer.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or sqlite_url(Path(folder) / "cohort.db")
        upgrade(url)
        tallies = asyncio.run(run(args, url))
    broken = sum(tally.broken for tally in tallies.values())
    print(f"rules: at most 2 own messages a day, none in quiet hours, none while paused or after "
          f"stop, no duplicates: {'all held' if not broken else f'{broken} broken'}; "
          f"wall time {timer.perf_counter() - started:.1f} s")
    sys.exit(1 if broken else 0)


if __name__ == "__main__":
    main()
