"""The terminal chat end to end, as a subprocess with piped input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from coachbot.content import Content
from tests.conftest import child_env


def chat(db: Path, user: str, lines: list[str]) -> str:
    env = child_env(TZ="Europe/Lisbon")
    result = subprocess.run(
        [sys.executable, "-m", "coachbot", "chat", "--db", str(db), "--user", user],
        input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_scripted_chat_keeps_progress_across_restarts(tmp_path: Path, content: Content) -> None:
    track = content.default_track
    week = len(track.lessons)
    db = tmp_path / "coach.db"
    first = chat(db, "ann", ["start", "", "", "", "", "3", "2", "next", "done"])
    assert "Which track" in first
    assert "I have Europe/Lisbon" in first  # the machine's zone is the default
    assert f"{track.title} · lesson 1 of {week}" in first
    assert "  1. " in first  # choices are numbered
    assert f"{track.title} · lesson 2 of {week}" in first
    again = chat(db, "ann", ["progress"])
    assert f"{track.title}: 2 of {week} lessons done" in again
    assert "Streak: 1 day." in again


def test_two_learners_share_one_database(tmp_path: Path, content: Content) -> None:
    third = content.tracks[2]
    db = tmp_path / "shared.db"
    chat(db, "ann", ["start", "", "", "", "", "next", "done"])
    bob = chat(db, "bob", ["progress", "start", "", "3", "tokyo", "07:00", "progress"])
    assert "You haven't started yet" in bob
    assert f"{third.title}: 0 of {len(third.lessons)} lessons done" in bob
    assert "Next lesson: tomorrow at 07:00 (Asia/Tokyo)" in bob
    week = content.default_track
    assert f"{week.title}: 1 of {len(week.lessons)} lessons done" in chat(
        db, "ann", ["progress"])


def test_coachbot_run_without_platforms_points_to_chat(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_BOT_TOKEN")}
    env["COACHBOT_DATA_DIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-m", "coachbot", "run"], capture_output=True,
                            text=True, timeout=120, env=env)
    assert result.returncode != 0
    assert "no platform is configured" in result.stderr
    assert "coachbot chat" in result.stderr
