"""Content rules that keep check-ins honest and lessons phone-sized: each fails on a bad edit
(made to a copy of the fixture curriculum)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from coachbot.authoring.check import check_content
from coachbot.authoring.rules import CHECKIN_CHARS, LESSON_CHARS, as_sent, checkin_as_sent
from coachbot.content import load_content
from coachbot.learning.render import lesson_reply
from tests.conftest import FIXTURE_DIR


def copy_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_DIR, target)
    return target


def edit_track(root: Path, track_id: str, change: Any) -> None:
    """Load one track file, let `change` edit its data, write it back."""
    path = root / "tracks" / f"{track_id}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems(root: Path) -> list[str]:
    return [str(p) for p in check_content(load_content(root)).problems]


def multiple_choice(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [lesson["checkin"] for lesson in data["lessons"] if lesson["checkin"].get("choices")]


def test_a_track_whose_best_answer_is_always_choice_one_fails(tmp_path: Path) -> None:
    root = copy_content(tmp_path)

    def best_first(data: dict[str, Any]) -> None:
        for checkin in multiple_choice(data):
            choices = checkin["choices"]
            choices.sort(key=lambda c: not c.get("best", False))

    edit_track(root, "replies", best_first)
    count = len(multiple_choice(yaml.safe_load((root / "tracks" / "replies.yaml").read_text())))
    assert any(f"replies.yaml:1: lessons: choice 1 is the best answer in {count} of {count} "
               "check-ins" in p for p in problems(root))


def test_a_track_whose_best_answer_is_always_the_longest_fails(tmp_path: Path) -> None:
    root = copy_content(tmp_path)

    def pad_best(data: dict[str, Any]) -> None:
        for checkin in multiple_choice(data):
            best = next(c for c in checkin["choices"] if c.get("best"))
            best["text"] = best["text"].rstrip(".") + ", taking care to do it properly."

    edit_track(root, "habits", pad_best)
    count = len(multiple_choice(yaml.safe_load((root / "tracks" / "habits.yaml").read_text())))
    assert any(f"habits.yaml:1: lessons: the best answer is the longest option in {count} of {count}" in p
               for p in problems(root))


def test_a_lesson_too_long_for_a_phone_screen_names_its_size(tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    content = load_content(root)
    track = content.tracks[0]
    room = LESSON_CHARS - len(as_sent(track, 0))

    def longer_try_this(data: dict[str, Any]) -> None:
        data["lessons"][0]["try_this"] += " Then do it again tomorrow." * (room // 20 + 1)

    edit_track(root, track.id, longer_try_this)
    found = problems(root)
    assert any(f"{track.id}.yaml:" in p and "lessons[0]: " in p and
               f"characters as sent; at most {LESSON_CHARS}" in p for p in found), found


def test_a_check_in_with_long_options_fails_even_when_the_lesson_fits(tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    track = load_content(root).track("habits")
    assert track is not None
    room = CHECKIN_CHARS - len(checkin_as_sent(track.lessons[0].checkin))

    def long_options(data: dict[str, Any]) -> None:
        data["lessons"][0]["checkin"]["choices"][0]["text"] += " Slowly and with care." * (room // 22 + 1)
        data["lessons"][0]["body"] = " ".join(data["lessons"][0]["body"].split()[:45])

    edit_track(root, "habits", long_options)
    found = problems(root)
    assert any("habits.yaml:" in p and "lessons[0].checkin: " in p and
               f"characters with its options; at most {CHECKIN_CHARS}" in p for p in found), found
    assert not any("habits.yaml" in p and "characters as sent" in p for p in found)


def test_what_is_measured_is_what_the_learner_reads() -> None:
    content = load_content(FIXTURE_DIR)
    track = content.tracks[0]
    lesson = track.lessons[0]
    sent = as_sent(track, 0)
    assert sent.startswith(lesson_reply(track, 0).text)
    assert sent.endswith("\n".join(f"{n}. {c.text}" for n, c in enumerate(lesson.checkin.choices, 1)))
    assert checkin_as_sent(lesson.checkin).startswith(lesson.checkin.question)


def test_too_few_tracks_and_lessons_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_content(tmp_path)
    content = load_content(root)
    tracks, lessons = len(content.tracks), content.lesson_count
    # By default a curriculum needs the bundled one's size; the fixture is far smaller.
    assert f"content/tracks:1: {tracks} tracks; at least 9 required" in problems(root)
    assert f"content/tracks:1: {lessons} lessons in all; at least 70 required" in problems(root)
    # A curriculum of one's own sets its floors; here, exactly the fixture's size, then one track less.
    monkeypatch.setenv("COACHBOT_CONTENT_MIN_TRACKS", str(tracks))
    monkeypatch.setenv("COACHBOT_CONTENT_MIN_LESSONS", str(lessons))
    assert not [p for p in problems(root) if p.startswith("content/tracks:1:")]
    last = content.tracks[-1]
    (root / "tracks" / f"{last.id}.yaml").unlink()
    edit_track(root, content.tracks[-2].id, lambda data: data.update(next_track=last.next_track))
    faq = yaml.safe_load((root / "faq.yaml").read_text(encoding="utf-8"))
    gone = {lesson.id for lesson in last.lessons}
    for entry in faq:
        entry["lessons"] = [i for i in entry.get("lessons", []) if i not in gone]
    (root / "faq.yaml").write_text(yaml.safe_dump(faq, allow_unicode=True), encoding="utf-8")
    found = problems(root)
    left = lessons - len(last.lessons)
    assert f"content/tracks:1: {tracks - 1} tracks; at least {tracks} required" in found
    assert f"content/tracks:1: {left} lessons in all; at least {lessons} required" in found


def test_a_short_track_is_allowed_but_not_a_stub(tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    assert not [p for p in problems(root) if "habits.yaml" in p]  # four lessons pass
    stub = yaml.safe_load((root / "tracks" / "habits.yaml").read_text(encoding="utf-8"))
    stub.update(id="stub", order=99, lessons=stub["lessons"][:3])
    for n, lesson in enumerate(stub["lessons"], 1):
        lesson["id"] = f"stub-{n}"
    (root / "tracks" / "stub.yaml").write_text(yaml.safe_dump(stub, sort_keys=False), encoding="utf-8")
    assert any("stub.yaml:1: lessons: 3 lessons; at least 4 required" in p for p in problems(root))
