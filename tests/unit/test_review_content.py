"""What a review says and when it comes back can be set in coaching.yaml, and is checked there."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coachbot.content import load_content
from coachbot.content.errors import ContentError
from tests.conftest import FIXTURE_DIR


def with_coaching(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_DIR, root)
    (root / "coaching.yaml").write_text(text)
    return root


def test_coaching_yaml_sets_the_review_words_and_intervals(tmp_path: Path) -> None:
    root = with_coaching(tmp_path, "reviews:\n  intro: 'Remember \"{title}\"?'\n"
                                   "  intervals: [3, 10, 30]\n")
    reviews = load_content(root).coaching.reviews
    assert reviews.intro == 'Remember "{title}"?' and reviews.intervals == [3, 10, 30]
    assert reviews.progress.startswith("Reviews:")  # what the file leaves out keeps its default


@pytest.mark.parametrize(("yaml", "problem"), [
    ("reviews:\n  intro: 'Remember {lesson}?'\n", "unknown placeholder {lesson}; it may use title"),
    ("reviews:\n  intervals: [2, 0]\n", "each interval is a number of days from 1 to 365"),
])
def test_content_check_names_a_bad_review_setting(tmp_path: Path, yaml: str, problem: str) -> None:
    with pytest.raises(ContentError) as raised:
        load_content(with_coaching(tmp_path, yaml))
    shown = "\n".join(str(p) for p in raised.value.problems)
    assert "coaching.yaml" in shown and problem in shown
