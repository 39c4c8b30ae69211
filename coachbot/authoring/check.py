"""Curriculum quality rules beyond the schema: counts, lengths, references, guessable check-ins.

A lesson as sent stays under LESSON_CHARS (rules.py), and every lesson and FAQ answer fits in
one message of each installed platform (its profile's largest message, see coachbot.platform).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from coachbot.authoring.rules import guessing_problems, platform_problems, size_problems
from coachbot.content.errors import ContentError, ContentProblem
from coachbot.content.loader import load_content
from coachbot.content.models import Content, FaqEntry, Track, word_count
from coachbot.conversation.commands import ALL_COMMANDS
from coachbot.platform import PlatformProfile, installed
from coachbot.settings import content_minimum

# The bundled curriculum's size; a curriculum of one's own may set other floors (settings.py).
MIN_TRACKS = 9
MIN_TOTAL_LESSONS = 70
# A short track (safety) may have as few as four; most tracks run to eight or nine.
MIN_LESSONS = 4
BODY_WORDS = (40, 120)
ANSWER_WORDS = (30, 150)
MIN_ALTERNATES = 3
MIN_OWN_TOPICS = 10
MIN_EXPLANATION_WORDS = 8
MAX_REFLECTIONS = 2
COPY_RUN = 8
_COMMAND_REF = re.compile(r"`/?([^`\s]+)[^`]*`")


@dataclass(frozen=True)
class Summary:
    tracks: int
    lessons: int
    faq: int


def summarise(content: Content) -> Summary:
    return Summary(len(content.tracks), content.lesson_count, len(content.faq))


@dataclass(frozen=True)
class CheckResult:
    """What `content check` found, and the checks it could not run (never reported as passed)."""

    problems: list[ContentProblem]
    skipped: list[str]


def check_content(content: Content, sources_dir: Path | None = None,
                  platforms: Sequence[PlatformProfile] | None = None) -> CheckResult:
    """Every rule a program can check, as problems naming file, line and field.

    Message sizes are checked for `platforms`, by default every installed one.
    """
    platforms = installed() if platforms is None else platforms
    problems = list(_curriculum_problems(content, platforms))
    problems += _faq_problems(content, platforms)
    skipped: list[str] = []
    if content.required_topics:
        problems += _topic_problems(content)
    else:
        skipped.append("required FAQ topics (the content folder has no faq-topics.yaml)")
    if sources_dir is None:
        skipped.append("copying from source documents (pass --sources DIR to run it)")
    elif not sources_dir.is_dir() or not any(sources_dir.glob("*.txt")):
        problems.append(ContentProblem(str(sources_dir), 1, "", "no source documents (*.txt) here"))
    else:
        problems += _copy_problems(content, sources_dir)
    return CheckResult(problems, skipped)


def load_checked_content(root: Path) -> Content:
    """Content the bot can run on: loaded, and passing every check `content check` runs itself.

    The copy check needs the source documents and is left to `content check --sources`.
    """
    content = load_content(root)
    problems = check_content(content).problems
    if problems:
        raise ContentError(problems)
    return content


def _curriculum_problems(content: Content, platforms: Sequence[PlatformProfile]
                         ) -> Iterator[ContentProblem]:
    min_tracks = content_minimum("COACHBOT_CONTENT_MIN_TRACKS", MIN_TRACKS)
    min_lessons = content_minimum("COACHBOT_CONTENT_MIN_LESSONS", MIN_TOTAL_LESSONS)
    if len(content.tracks) < min_tracks:
        yield ContentProblem("content/tracks", 1, "", f"{len(content.tracks)} tracks; at least "
                             f"{min_tracks} required")
    if content.lesson_count < min_lessons:
        yield ContentProblem("content/tracks", 1, "", f"{content.lesson_count} lessons in all; at "
                             f"least {min_lessons} required")
    for track in content.tracks:
        yield from _track_problems(content, track, platforms)
        yield from guessing_problems(content, track)
        yield from _audience_problems(content, track)


def _audience_problems(content: Content, track: Track) -> Iterator[ContentProblem]:
    """A track may only be meant for (or early for) an audience coaching.yaml's path defines."""
    known = content.coaching.path.ids
    for key in ("audiences", "early_for"):
        for i, audience in enumerate(getattr(track, key)):
            if audience not in known:
                yield content.problem(f"{track.id}.{key}[{i}]", f"{key}[{i}]",
                                      f"unknown audience '{audience}'; coaching.yaml's path "
                                      f"defines {', '.join(known)}")


def _track_problems(content: Content, track: Track, platforms: Sequence[PlatformProfile]
                    ) -> Iterator[ContentProblem]:
    if len(track.lessons) < MIN_LESSONS:
        yield content.problem(track.id, "lessons", f"{len(track.lessons)} lessons; at least "
                              f"{MIN_LESSONS} required")
    if not track.next_track:
        yield content.problem(track.id, "next_track", "missing: the last lesson must point somewhere")
    reflections = sum(lesson.checkin.is_reflection for lesson in track.lessons)
    if reflections > MAX_REFLECTIONS:
        yield content.problem(track.id, "lessons", f"{reflections} open reflections; at most "
                              f"{MAX_REFLECTIONS} per track, the rest multiple choice")
    for i, lesson in enumerate(track.lessons):
        field = f"lessons[{i}]"
        words = word_count(lesson.body)
        if not BODY_WORDS[0] <= words <= BODY_WORDS[1]:
            yield content.problem(lesson.id, f"{field}.body",
                                  f"{words} words; a lesson body takes {BODY_WORDS[0]} to {BODY_WORDS[1]}")
        for j, choice in enumerate(lesson.checkin.choices):
            if word_count(choice.explanation) < MIN_EXPLANATION_WORDS:
                yield content.problem(lesson.id, f"{field}.checkin.choices[{j}].explanation",
                                      f"too short: say why this is or isn't the best move "
                                      f"(at least {MIN_EXPLANATION_WORDS} words)")
        yield from size_problems(content, track, i, platforms)


def _faq_problems(content: Content, platforms: Sequence[PlatformProfile]) -> Iterator[ContentProblem]:
    if not content.faq:
        yield ContentProblem("faq.yaml", 1, "", "no FAQ entries: the coach could answer no question")
    seen: dict[str, str] = {}
    for entry in content.faq:
        key = f"faq:{entry.id}"
        words = word_count(entry.answer)
        yield from platform_problems(content, key, f"{entry.id}.answer", entry.answer.strip(), platforms)
        if not ANSWER_WORDS[0] <= words <= ANSWER_WORDS[1]:
            yield content.problem(key, f"{entry.id}.answer",
                      f"{words} words; an answer takes {ANSWER_WORDS[0]} to {ANSWER_WORDS[1]}")
        if len(entry.alternates) < MIN_ALTERNATES:
            yield content.problem(key, f"{entry.id}.alternates",
                      f"{len(entry.alternates)} alternates; at least {MIN_ALTERNATES} required")
        for phrase in (entry.question, *entry.alternates):
            norm = " ".join(re.findall(r"\w+", phrase.lower()))
            if norm in seen and seen[norm] != entry.id:
                yield content.problem(key, f"{entry.id}.alternates",
                          f"'{phrase}' also belongs to '{seen[norm]}'")
            seen[norm] = entry.id
        for command in unknown_commands(entry):
            yield content.problem(key, f"{entry.id}.answer",
                      f"`{command}` is not a bot command (known: {', '.join(ALL_COMMANDS)})")


def unknown_commands(entry: FaqEntry) -> Iterable[str]:
    """Backticked words in an answer must be commands as the bot spells them."""
    for match in _COMMAND_REF.finditer(entry.answer):
        if match.group(1).lower() not in ALL_COMMANDS:
            yield match.group(1)


def _topic_problems(content: Content) -> Iterator[ContentProblem]:
    required = set(content.required_topics)
    have = {e.id for e in content.faq}
    faq_path = next((r.path for k, r in content.sources.items() if k.startswith("faq:")), "faq.yaml")
    for missing in sorted(required - have):
        yield ContentProblem(faq_path, 1, missing, "required FAQ topic missing (see faq-topics.yaml)")
    own = len(have - required)
    if own < MIN_OWN_TOPICS:
        yield ContentProblem(faq_path, 1, "", f"{own} topics beyond the required ones; at least "
                             f"{MIN_OWN_TOPICS} expected")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))


def _copy_problems(content: Content, seeds_dir: Path) -> Iterator[ContentProblem]:
    """No run of eight consecutive words from a source document may appear in content."""
    runs: set[tuple[str, ...]] = set()
    for path in sorted(seeds_dir.glob("*.txt")):
        words = _words(path.read_text(encoding="utf-8", errors="ignore"))
        runs.update(tuple(words[i:i + COPY_RUN]) for i in range(len(words) - COPY_RUN + 1))
    texts: list[tuple[str, str, str]] = []
    for track in content.tracks:
        for i, lesson in enumerate(track.lessons):
            parts = [lesson.title, lesson.body, lesson.try_this, lesson.checkin.question]
            parts += [c.text + " " + c.explanation for c in lesson.checkin.choices]
            texts += [(lesson.id, f"lessons[{i}]", part) for part in parts]
    for entry in content.faq:
        texts += [(f"faq:{entry.id}", entry.id, part) for part in (entry.answer, *entry.alternates)]
    for key, field, text in texts:
        words = _words(text)
        for i in range(len(words) - COPY_RUN + 1):
            run = tuple(words[i:i + COPY_RUN])
            if run in runs:
                yield content.problem(key, field, f"copies a source sentence: '{' '.join(run)}'")
                break
