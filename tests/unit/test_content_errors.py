"""A broken content file is one clear line each, for `content check` and at start-up alike."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from coachbot.authoring.check import check_content, load_checked_content
from coachbot.content import ContentError, load_content
from tests.conftest import child_env
from tests.unit.test_content import copy_content


def problems_of(root: Path) -> str:
    with pytest.raises(ContentError) as caught:
        load_checked_content(root)
    return str(caught.value)


def test_a_duplicate_key_is_an_error_not_a_silent_overwrite(tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    path = root / "tracks" / "habits.yaml"
    text = path.read_text()
    path.write_text(text.replace("title:", "title: First title\ntitle:", 1))
    line = text[:text.index("title:")].count("\n") + 2
    assert f"habits.yaml:{line}: duplicate key 'title'" in problems_of(root)


def test_deep_nesting_and_huge_numbers_are_named(tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    (root / "tracks" / "zz-deep.yaml").write_text("[" * 100_000 + "]" * 100_000)
    (root / "tracks" / "zz-big.yaml").write_text("id: big\norder: " + "9" * 5_000 + "\n")
    text = problems_of(root)
    assert "zz-deep.yaml:1: nested too deeply to be content" in text
    assert "zz-big.yaml:1: a value cannot be read" in text
    assert "Traceback" not in text


def test_aliases_cannot_blow_up_a_file(tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(20))
    (root / "tracks" / "zz-bomb.yaml").write_text(bomb)
    assert "zz-bomb.yaml:1: anchors and aliases (& and *) are not allowed" in problems_of(root)


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    path = root / "faq.yaml"
    with path.open("a") as faq:  # padded to 6.1 MB in all
        faq.write("# padding\n" * ((6_100_000 - path.stat().st_size) // 10))
    assert "faq.yaml:1: 6.1 MB; a content file may be at most 5 MB" in problems_of(root)


def test_a_broken_track_is_reported_once_not_as_unknown_lessons(tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    path = root / "tracks" / "replies.yaml"  # the FAQ refers to one of its lessons
    path.write_text(path.read_text().replace("title:", "titel:", 1))
    text = problems_of(root)
    assert "replies.yaml" in text and "unknown field" in text
    assert "unknown lesson" not in text


def test_faq_entries_are_named_by_their_id(tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    faq = root / "faq.yaml"
    text = faq.read_text()
    first_id = text.split("id: ", 1)[1].split()[0]
    faq.write_text(text.replace("answer:", "answr:", 1))
    found = problems_of(root)
    assert f"{first_id}.answr: unknown field" in found
    assert "[0]" not in found


def test_an_empty_faq_fails_the_check(tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    (root / "faq.yaml").write_text("[]\n")
    (root / "faq-topics.yaml").unlink()
    problems = [str(p) for p in check_content(load_content(root)).problems]
    assert any("no FAQ entries" in p for p in problems)


def test_the_bot_refuses_to_start_on_content_the_check_refuses(tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    path = root / "tracks" / "habits.yaml"
    text = path.read_text()
    start = text.index("try_this:")
    path.write_text(text[:start] + "try_this: " + "Write a very long note. " * 220 + "\n    "
                    + text[text.index("try_minutes:", start):])
    env = child_env(COACHBOT_CONTENT_DIR=str(root), COACHBOT_DATA_DIR=str(tmp_path / "data"))
    result = subprocess.run([sys.executable, "-m", "coachbot", "chat"], input="", env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "habits.yaml:" in result.stderr and "characters as sent; at most 1200" in result.stderr
    assert "Traceback" not in result.stderr


def test_coaching_texts_are_overridden_and_an_unknown_placeholder_is_named(tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    (root / "coaching.yaml").write_text(
        "followups:\n  question_later: \"Earlier: {action}. How was it?\"\n"
        "plan:\n  heading: \"My plan\"\n  answer: \"- {lesson} -> {reply}\"\n")
    assert "coaching.yaml:5: plan.answer: unknown placeholder {reply} (this message may use: " \
           "{answer}, {lesson})" in problems_of(root)
    (root / "coaching.yaml").write_text("followups:\n  question_later: \"Earlier: {action}. How was it?\"\n")
    assert load_content(root).coaching.followups.question_later == "Earlier: {action}. How was it?"
