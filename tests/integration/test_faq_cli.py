"""`coachbot faq match` and `coachbot faq misses`, run as a person (or an evaluator) would."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from coachbot.clock import SimulatedClock
from coachbot.content import load_content
from coachbot.conversation import Coach
from coachbot.faq.lexical import LexicalMatcher
from coachbot.settings import Settings, sqlite_url
from coachbot.store.database import make_engine, make_sessionmaker, upgrade
from tests.conftest import FIXTURE_DIR, Chat, child_env
from tests.unit.test_faq_matching import shared_cache

FAQ = """\
- id: pause-lessons
  question: Can I pause my lessons for a while?
  answer: Type pause; type resume to carry on. Nothing is lost.
  alternates: [i need a break from the lessons, going on holiday, hold my lessons]
- id: change-timezone
  question: How do I set my time zone?
  answer: Type tz followed by a city or zone, for example tz Berlin.
  alternates: [wrong time zone, i moved to another city, the bot thinks im in another country]
"""


@pytest.fixture
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir whose FAQ index cache is shared by every FAQ test in this run (embedding is slow)."""
    return shared_cache(tmp_path_factory).parent


def coachbot(*args: str, stdin: str = "", home: Path, model: bool = False,
             **settings: str) -> subprocess.CompletedProcess[str]:
    """A `coachbot` child on the fixture curriculum; the FAQ model loads only when `model` says so."""
    env = child_env(COACHBOT_DATA_DIR=str(home), **settings)
    if model:
        env.pop("COACHBOT_FAQ_LEXICAL")
    return subprocess.run([sys.executable, "-m", "coachbot", *args], input=stdin, text=True,
                          capture_output=True, env=env, timeout=300, check=False)


def test_faq_match_writes_one_json_object_per_input_line(tmp_path: Path, home: Path) -> None:
    faq = tmp_path / "faq.yaml"
    faq.write_text(FAQ)
    questions = ["Can I pause my lessons for a while?", "going on holiday, can my lessons wait?",
                 "whats the weather in paris tomorrow", ""]
    done = coachbot("faq", "match", "--faq", str(faq), stdin="\n".join(questions) + "\n", home=home,
                    model=True)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [row["question"] for row in rows] == questions
    assert all(set(row) == {"question", "id", "score"} for row in rows)
    assert all(isinstance(row["score"], float) for row in rows)
    assert [row["id"] for row in rows] == ["pause-lessons", "pause-lessons", None, None]


def test_faq_match_defaults_to_the_bundled_faq(home: Path) -> None:
    done = coachbot("faq", "match", stdin="how do I see my progress\n", home=home,
                    COACHBOT_CONTENT_DIR="")  # empty: no folder named, so the bundled one
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["id"] == "see-progress"


def test_faq_match_names_a_missing_or_broken_faq_file(tmp_path: Path) -> None:
    done = coachbot("faq", "match", "--faq", str(tmp_path / "nope.yaml"), home=tmp_path)
    assert done.returncode == 2 and "nope.yaml" in done.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("- id: Not A Slug\n  question: x\n")
    done = coachbot("faq", "match", "--faq", str(broken), home=tmp_path)
    assert done.returncode == 2 and "broken.yaml" in done.stderr


def test_faq_misses_lists_unanswered_questions_most_frequent_first(tmp_path: Path) -> None:
    database = tmp_path / "coachbot.db"
    upgrade(sqlite_url(database))

    async def ask() -> None:
        engine = make_engine(sqlite_url(database))
        clock = SimulatedClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
        content = load_content(FIXTURE_DIR)
        coach = Coach(content, make_sessionmaker(engine), clock, LexicalMatcher(content.faq),
                      Settings(database_url=sqlite_url(database)))
        for user, question in [("ann", "whats the capital of australia"),
                               ("bob", "how tall is mount everest?"), ("cy", "How tall is Mount Everest"),
                               ("ann", "how tall is mount everest")]:
            await Chat(coach, user).say(question)
        await engine.dispose()

    asyncio.run(ask())
    done = coachbot("faq", "misses", "--db", str(database), home=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "count" in lines[0] and "last asked" in lines[0]
    assert lines[1].split()[0] == "3" and "mount everest" in lines[1].lower()
    assert "2026-03-02 12:00" in lines[1]
    assert lines[2].split()[0] == "1" and "capital of australia" in lines[2]
    assert "ann" not in done.stdout and "bob" not in done.stdout


def test_faq_misses_on_an_empty_log_says_so(tmp_path: Path) -> None:
    database = tmp_path / "coachbot.db"
    upgrade(sqlite_url(database))
    done = coachbot("faq", "misses", "--db", str(database), home=tmp_path)
    assert done.returncode == 0 and "No unanswered questions" in done.stdout


def test_coachbot_chat_says_which_faq_matcher_answers_and_loads_it_with_the_first_question(
        tmp_path: Path, home: Path) -> None:
    done = coachbot("chat", "--db", str(tmp_path / "chat.db"), stdin="can i take a holiday from the tips\n",
                    home=home, model=True)
    assert done.returncode == 0, done.stderr
    assert "pause" in done.stdout and "resume" in done.stdout
    said = done.stderr.splitlines()
    start = said.index("coachbot: FAQ matcher: semantic hybrid (the model loads with the first question)")
    assert any(line.startswith("coachbot: FAQ matcher: semantic hybrid with all-MiniLM-L6-v2 (ONNX")
               and "ready in" in line for line in said[start + 1:])


def test_coachbot_chat_with_the_lexical_matcher_chosen_says_so(tmp_path: Path, home: Path) -> None:
    done = coachbot("chat", "--db", str(tmp_path / "chat.db"), stdin="how do i pause my lessons\n",
                    home=home)  # the fixture's environment chooses it
    assert done.returncode == 0, done.stderr
    assert "pause" in done.stdout and "resume" in done.stdout
    assert "coachbot: FAQ matcher: lexical (COACHBOT_FAQ_LEXICAL=1)" in done.stderr
    assert "semantic" not in done.stderr
