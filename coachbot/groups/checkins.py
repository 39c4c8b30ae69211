"""Per-lesson check-in figures: how many answered, how many chose the best answer, and the
wrong answer chosen most. A lesson most people get wrong is either hard or badly written."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.content.models import Content
from coachbot.groups.report import member_ids_of
from coachbot.store.models import CheckInAnswer, Group


@dataclass(frozen=True)
class LessonCheckins:
    lesson_id: str
    title: str
    track: str
    answered: int
    best: int  # answers that picked the best choice (0 for a reflection)
    reflection: bool
    top_wrong: str | None = None
    top_wrong_count: int = 0

    @property
    def best_share(self) -> float | None:
        """The share who chose the best answer; None for a reflection (there is no best)."""
        return None if self.reflection or not self.answered else self.best / self.answered

    @property
    def missed_share(self) -> float:
        share = self.best_share
        return 0.0 if share is None else 1 - share


async def checkin_figures(session: AsyncSession, content: Content,
                          group: Group | None = None) -> list[LessonCheckins]:
    """Every answered lesson (in `group`, or everywhere), most missed first, reflections last."""
    query = (select(CheckInAnswer.lesson_id, CheckInAnswer.choice, func.count())
             .group_by(CheckInAnswer.lesson_id, CheckInAnswer.choice))
    if group is not None:
        query = query.where(CheckInAnswer.learner_id.in_(member_ids_of(group.id)))
    tallies: dict[str, Counter[int | None]] = defaultdict(Counter)
    for lesson_id, choice, count in await session.execute(query):
        tallies[lesson_id][choice] += int(count)
    figures = [figure for lesson_id, tally in tallies.items()
               if (figure := _figures(content, lesson_id, tally)) is not None]
    return sorted(figures, key=lambda f: (f.reflection, -f.missed_share, -f.answered, f.lesson_id))


def _figures(content: Content, lesson_id: str, tally: Counter[int | None]) -> LessonCheckins | None:
    found = content.lesson(lesson_id)
    if found is None:  # no longer in the curriculum: nothing an author can act on
        return None
    track, index = found
    lesson = track.lessons[index]
    answered = sum(tally.values())
    choices = lesson.checkin.choices
    if lesson.checkin.is_reflection:
        return LessonCheckins(lesson.id, lesson.title, track.title, answered, 0, True)
    best = sum(n for choice, n in tally.items() if choice is not None and 0 <= choice < len(choices)
               and choices[choice].best)
    wrong = [(n, choice) for choice, n in tally.items() if choice is not None
             and 0 <= choice < len(choices) and not choices[choice].best]
    if not wrong:
        return LessonCheckins(lesson.id, lesson.title, track.title, answered, best, False)
    count, choice = max(wrong, key=lambda item: (item[0], -item[1]))
    return LessonCheckins(lesson.id, lesson.title, track.title, answered, best, False,
                          choices[choice].text, count)


def percent(share: float | None) -> str:
    return "n/a" if share is None else f"{round(share * 100)}%"


def render_table(figures: list[LessonCheckins], unanswered: int) -> list[str]:
    """The check-in table as aligned text lines, for the terminal."""
    if not figures:
        return ["No check-in answers yet."]
    width = max(len(f.lesson_id) for f in figures)
    lines = [f"{'lesson':<{width}}  answered  best  most chosen wrong answer"]
    for f in figures:
        wrong = (f"{f.top_wrong[:60]} ({f.top_wrong_count})" if f.top_wrong
                 else "(open reflection)" if f.reflection else "-")
        lines.append(f"{f.lesson_id:<{width}}  {f.answered:>8}  {percent(f.best_share):>4}  {wrong}")
    if unanswered:
        lines.append(f"{unanswered} more lesson(s) have no answers yet.")
    return lines
