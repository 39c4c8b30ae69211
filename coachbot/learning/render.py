"""Texts the coach sends, kept apart from the rules that decide when."""

from __future__ import annotations

from coachbot.buttons import Answer, Done, encode
from coachbot.content.models import Lesson, Track
from coachbot.messages import Choice, LessonView, Reply


def lesson_view(track: Track, index: int) -> LessonView:
    lesson = track.lessons[index]
    return LessonView(
        lesson_id=lesson.id, track_title=track.title, position=index + 1, total=len(track.lessons),
        title=lesson.title, body=lesson.body.strip(), try_this=lesson.try_this,
        try_minutes=lesson.try_minutes, question=lesson.checkin.question)


def checkin_choices(lesson: Lesson) -> tuple[Choice, ...]:
    if lesson.checkin.is_reflection:
        return (Choice("Mark as done", encode(Done(lesson.id))),)
    return tuple(Choice(choice.text, encode(Answer(lesson.id, i)))
                 for i, choice in enumerate(lesson.checkin.choices))


def lesson_text(view: LessonView, reflection: bool) -> str:
    how = ("Reply with your thoughts (a sentence is plenty), or type done."
           if reflection else "Reply with the number of your answer.")
    return (
        f"{view.track_title} · lesson {view.position} of {view.total}\n"
        f"{view.title}\n\n"
        f"{view.body}\n\n"
        f"Try this today (about {view.try_minutes} min): {view.try_this}\n\n"
        f"Check-in: {view.question}\n{how}"
    )


def lesson_reply(track: Track, index: int) -> Reply:
    lesson = track.lessons[index]
    view = lesson_view(track, index)
    return Reply(lesson_text(view, lesson.checkin.is_reflection), checkin_choices(lesson), lesson=view)


def group_lesson_reply(track: Track, index: int) -> Reply:
    """A lesson posted to a group: something to talk over there; check-ins stay private."""
    view = lesson_view(track, index)
    text = lesson_text(view, reflection=True).rsplit("\n", 1)[0]
    text += ("\nTalk it over here. For your own daily lessons and check-ins, message me "
             "privately and type start.")
    return Reply(text, lesson=view)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
