"""Load and validate the curriculum (content/tracks/*.yaml) and FAQ (content/faq.yaml)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

from pydantic import TypeAdapter, ValidationError

from coachbot.content.errors import ContentError, ContentProblem
from coachbot.content.models import Content, FaqEntry, SourceRef, Topic, Track
from coachbot.content.yamlsource import YamlSource

M = TypeVar("M")
TOPICS_FILE = "faq-topics.yaml"


def _display(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _validate(source: YamlSource, adapter: TypeAdapter[M]) -> tuple[M | None, list[ContentProblem]]:
    try:
        return adapter.validate_python(source.data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = [p for p in err["loc"] if isinstance(p, int | str)]
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = "unknown field (check the spelling)"
            problems.append(source.problem(loc, message))
        return None, problems


def load_tracks(directory: Path) -> tuple[list[Track], dict[str, SourceRef], list[ContentProblem]]:
    tracks: list[Track] = []
    sources: dict[str, SourceRef] = {}
    problems: list[ContentProblem] = []
    files = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
    if not files:
        problems.append(ContentProblem(_display(directory), 1, "", "no track files (*.yaml) found"))
    seen_lessons: dict[str, str] = {}
    for path in files:
        try:
            source = YamlSource(path, _display(path))
        except ContentError as exc:
            problems += exc.problems
            continue
        track, found = _validate(source, TypeAdapter(Track))
        problems += found
        if track is None:
            continue
        if track.id in sources:
            first = sources[track.id].path
            problems.append(source.problem(["id"], f"duplicate track id (also in {first})"))
            continue
        sources[track.id] = SourceRef(source.display, source.line_of(["id"]))
        for i, lesson in enumerate(track.lessons):
            if lesson.id in seen_lessons:
                also = seen_lessons[lesson.id]
                problems.append(source.problem(
                    ["lessons", i, "id"], f"duplicate lesson id '{lesson.id}' (also in {also})"))
            seen_lessons[lesson.id] = source.display
            sources[lesson.id] = SourceRef(source.display, source.line_of(["lessons", i]))
        tracks.append(track)
    return tracks, sources, problems


def load_faq(path: Path) -> tuple[list[FaqEntry], dict[str, SourceRef], list[ContentProblem]]:
    if not path.exists():
        return [], {}, []
    try:
        source = YamlSource(path, _display(path))
    except ContentError as exc:
        return [], {}, exc.problems
    if source.data is None:
        return [], {}, []
    entries, problems = _validate(source, TypeAdapter(list[FaqEntry]))
    sources: dict[str, SourceRef] = {}
    for i, entry in enumerate(entries or []):
        if f"faq:{entry.id}" in sources:
            problems.append(source.problem([i, "id"], f"duplicate FAQ id '{entry.id}'"))
        sources[f"faq:{entry.id}"] = SourceRef(source.display, source.line_of([i]))
    return list(entries or []), sources, problems


def load_topics(path: Path) -> tuple[list[str], list[ContentProblem]]:
    """The required FAQ topic ids; a missing file is reported by `content check`, not here."""
    if not path.exists():
        return [], []
    try:
        source = YamlSource(path, _display(path))
    except ContentError as exc:
        return [], exc.problems
    topics, problems = _validate(source, TypeAdapter(list[Topic]))
    ids = [topic.id for topic in topics or []]
    for i, topic_id in enumerate(ids):
        if topic_id in ids[:i]:
            problems.append(source.problem([i, "id"], f"duplicate topic id '{topic_id}'"))
    return ids, problems


def _reference_problems(content: Content) -> Iterable[ContentProblem]:
    for track in content.tracks:
        if track.next_track and content.track(track.next_track) is None:
            ref = content.sources[track.id]
            yield ContentProblem(ref.path, ref.line, "next_track", f"unknown track '{track.next_track}'")
    for entry in content.faq:
        for lesson_id in entry.lessons:
            if content.lesson(lesson_id) is None:
                ref = content.sources[f"faq:{entry.id}"]
                yield ContentProblem(ref.path, ref.line, f"{entry.id}.lessons",
                                     f"unknown lesson '{lesson_id}'")


def load_content(root: Path) -> Content:
    """Load `root/tracks/*.yaml`, `root/faq.yaml` and `root/faq-topics.yaml`.

    Raises ContentError listing every problem.
    """
    tracks, sources, problems = load_tracks(root / "tracks")
    faq, faq_sources, faq_problems = load_faq(root / "faq.yaml")
    topics, topic_problems = load_topics(root / TOPICS_FILE)
    problems += faq_problems + topic_problems
    content = Content(tracks=tracks, faq=faq, sources={**sources, **faq_sources},
                      required_topics=topics)
    problems += _reference_problems(content)
    if problems:
        raise ContentError(problems)
    return content
