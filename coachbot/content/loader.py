"""Load and validate the curriculum (content/tracks/*.yaml) and FAQ (content/faq.yaml)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from pydantic import TypeAdapter, ValidationError

from coachbot.content.coaching import Coaching
from coachbot.content.errors import ContentError, ContentProblem
from coachbot.content.models import Content, FaqEntry, SourceRef, Topic, Track
from coachbot.content.yamlsource import YamlSource, field_path

M = TypeVar("M")
TOPICS_FILE = "faq-topics.yaml"
COACHING_FILE = "coaching.yaml"


def _display(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _validate(source: YamlSource, adapter: TypeAdapter[M],
              by_id: bool = False) -> tuple[M | None, list[ContentProblem]]:
    """Validate the whole file; `by_id` names list items by their `id` rather than their index."""
    try:
        return adapter.validate_python(source.data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = [p for p in err["loc"] if isinstance(p, int | str)]
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = "unknown field (check the spelling)"
            problem = source.problem(loc, message)
            if by_id and loc and isinstance(loc[0], int):
                label = _item_id(source.data, loc[0])
                rest = field_path(loc[1:])
                problem = replace(problem, field=f"{label}.{rest}" if rest else label)
            problems.append(problem)
        return None, problems


def _item_id(data: object, index: int) -> str:
    """The `id` of a list item as written, or its position when it has none."""
    item = data[index] if isinstance(data, list) and index < len(data) else None
    found = item.get("id") if isinstance(item, dict) else None
    return str(found) if isinstance(found, str) and found else f"[{index}]"


def load_tracks(directory: Path) -> tuple[list[Track], dict[str, SourceRef], list[ContentProblem], list[str]]:
    """The tracks, where each key sits, the problems, and the files rejected as a whole."""
    tracks: list[Track] = []
    rejected: list[str] = []
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
            rejected.append(path.name)
            continue
        track, found = _validate(source, TypeAdapter(Track))
        problems += found
        if track is None:
            rejected.append(source.display)
            continue
        if track.id in sources:
            first = sources[track.id].path
            problems.append(source.problem(["id"], f"duplicate track id (also in {first})"))
            continue
        sources[track.id] = SourceRef(source.display, source.line_of(["id"]))
        for key in ("audiences", "early_for"):  # each audience named, for `content check`
            for i in range(len(getattr(track, key))):
                sources[f"{track.id}.{key}[{i}]"] = SourceRef(source.display, source.line_of([key, i]))
        for i, lesson in enumerate(track.lessons):
            if lesson.id in seen_lessons:
                also = seen_lessons[lesson.id]
                problems.append(source.problem(
                    ["lessons", i, "id"], f"duplicate lesson id '{lesson.id}' (also in {also})"))
            seen_lessons[lesson.id] = source.display
            sources[lesson.id] = SourceRef(source.display, source.line_of(["lessons", i]))
        tracks.append(track)
    return tracks, sources, problems, rejected


def load_faq(path: Path) -> tuple[list[FaqEntry], dict[str, SourceRef], list[ContentProblem]]:
    if not path.exists():
        return [], {}, []
    try:
        source = YamlSource(path, _display(path))
    except ContentError as exc:
        return [], {}, exc.problems
    if source.data is None:
        return [], {}, []
    entries, problems = _validate(source, TypeAdapter(list[FaqEntry]), by_id=True)
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
    topics, problems = _validate(source, TypeAdapter(list[Topic]), by_id=True)
    ids = [topic.id for topic in topics or []]
    for i, topic_id in enumerate(ids):
        if topic_id in ids[:i]:
            problems.append(source.problem([i, "id"], f"duplicate topic id '{topic_id}'"))
    return ids, problems


def load_coaching(path: Path) -> tuple[Coaching, list[ContentProblem]]:
    """What the coach says of its own; a missing or empty file keeps every default."""
    if not path.exists():
        return Coaching(), []
    try:
        source = YamlSource(path, _display(path))
    except ContentError as exc:
        return Coaching(), exc.problems
    if source.data is None:
        return Coaching(), []
    coaching, problems = _validate(source, TypeAdapter(Coaching))
    return coaching or Coaching(), problems


def _reference_problems(content: Content, complete: bool) -> Iterable[ContentProblem]:
    """References to unknown tracks and lessons; only when every track file could be read."""
    if not complete:  # a rejected file's lessons would all look unknown: it was reported once
        return
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
    """Load `root/tracks/*.yaml`, `root/faq.yaml`, `root/faq-topics.yaml` and `root/coaching.yaml`.

    Raises ContentError listing every problem.
    """
    tracks, sources, problems, rejected = load_tracks(root / "tracks")
    faq, faq_sources, faq_problems = load_faq(root / "faq.yaml")
    topics, topic_problems = load_topics(root / TOPICS_FILE)
    coaching, coaching_problems = load_coaching(root / COACHING_FILE)
    content = Content(tracks=tracks, faq=faq, sources={**sources, **faq_sources},
                      required_topics=topics, coaching=coaching)
    problems += _reference_problems(content, complete=not rejected)
    problems += faq_problems + topic_problems + coaching_problems
    if problems:
        raise ContentError(problems)
    return content
