"""A bad setting is one line naming the variable, exit code 2, before any platform connects."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from coachbot.settings import SettingsError, load_settings
from tests.conftest import child_env

# Enough for `coachbot run` to get past "no platform configured", never reaching a real server.
PLATFORM = {"TELEGRAM_BOT_TOKEN": "123456:test-token", "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot"}

BAD = [
    ({"COACHBOT_DATABASE_URL": "not a url at all"}, "COACHBOT_DATABASE_URL"),
    ({"COACHBOT_DATABASE_URL": "mysql://root@localhost/coach"}, "COACHBOT_DATABASE_URL"),
    ({"COACHBOT_DATA_DIR": "/etc/hostname/coachbot"}, "COACHBOT_DATA_DIR=/etc/hostname/coachbot"),
    ({"COACHBOT_LOG_LEVEL": "LOUD"}, "COACHBOT_LOG_LEVEL=LOUD"),
    ({"TZ": "America"}, "TZ=America"),
    ({"COACHBOT_MENTORS": "telegram:1;slack:U2"}, "COACHBOT_MENTORS"),
    ({"COACHBOT_MENTORS": "123456789"}, "COACHBOT_MENTORS"),
    ({"COACHBOT_MENTORS": "telegram:@ann"}, "not the @username"),
    ({"COACHBOT_MENTORS": "telegram:ann"}, "a Telegram user id is a number"),
    ({"COACHBOT_DELIVERY_MAX_ATTEMPTS": "2.7"}, "COACHBOT_DELIVERY_MAX_ATTEMPTS=2.7"),
    ({"COACHBOT_RETENTION_DAYS": "a year"}, "COACHBOT_RETENTION_DAYS=a year"),
    ({"COACHBOT_LOG_FORMAT": "xml"}, "COACHBOT_LOG_FORMAT=xml"),
    ({"COACHBOT_REDIS_URL": "localhost:6379"}, "COACHBOT_REDIS_URL=localhost:6379"),
    ({"COACHBOT_PUBLIC_URL": "https://coach.example.org"}, "COACHBOT_SECRET_KEY: required when"),
    ({"COACHBOT_DELIVERY_CONCURRENCY": "0"}, "COACHBOT_DELIVERY_CONCURRENCY=0"),
    ({"COACHBOT_DELIVERY_TICK_SECONDS": "soon"}, "COACHBOT_DELIVERY_TICK_SECONDS=soon"),
    ({"COACHBOT_QUIET_HOURS": "25:00-08:00"}, "COACHBOT_QUIET_HOURS=25:00-08:00"),
    ({"COACHBOT_REMINDER_AFTER_HOURS": "a while"}, "COACHBOT_REMINDER_AFTER_HOURS=a while"),
    ({"COACHBOT_HTTP_HOST": "not a host!"}, "COACHBOT_HTTP_HOST=not a host!"),
    ({"COACHBOT_HTTP_PORT": "99999"}, "COACHBOT_HTTP_PORT=99999"),
    ({"COACHBOT_HTTP_PORT": "http"}, "COACHBOT_HTTP_PORT=http"),
    ({"COACHBOT_HTTP_HOST": "192.0.2.1"}, "cannot listen there"),
    ({"COACHBOT_CONTENT_MIN_TRACKS": "a few"}, "COACHBOT_CONTENT_MIN_TRACKS=a few"),
]


def run(command: str, env: dict[str, str], data: Path) -> subprocess.CompletedProcess[str]:
    full = child_env(**{"COACHBOT_DATA_DIR": str(data), "COACHBOT_HTTP_PORT": "0", **PLATFORM, **env})
    if "COACHBOT_DATABASE_URL" not in env:
        full.pop("COACHBOT_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "coachbot", command], input="", env=full,
                          capture_output=True, text=True, timeout=120)


def assert_one_line(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    # `run` may have logged its start-up (INFO lines) before it found the problem.
    lines = [line for line in result.stderr.strip().splitlines() if " INFO " not in line]
    assert len(lines) == 1, result.stderr[-2000:]
    assert lines[0].startswith("coachbot: ") and expected in lines[0]
    assert "Traceback" not in result.stderr


# `run` waits for a data folder that cannot be made yet (a volume not mounted); `chat` does not.
RUN_BAD = [b for b in BAD if "COACHBOT_DATA_DIR" not in b[0]]


@pytest.mark.parametrize(("env", "expected"), RUN_BAD, ids=[next(iter(e)) + "=" + next(iter(e.values()))
                                                            for e, _ in RUN_BAD])
def test_run_refuses_a_bad_setting_in_one_line(tmp_path: Path, env: dict[str, str], expected: str) -> None:
    assert_one_line(run("run", env, tmp_path), expected)


UNREACHABLE = ({"COACHBOT_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:9/none"},
               "COACHBOT_DATABASE_URL: cannot use the database")


@pytest.mark.parametrize(("env", "expected"), [BAD[0], BAD[2], BAD[4], BAD[5], BAD[-1], UNREACHABLE])
def test_chat_refuses_a_bad_setting_in_one_line(tmp_path: Path, env: dict[str, str], expected: str) -> None:
    assert_one_line(run("chat", env, tmp_path), expected)


def test_a_file_that_is_no_database(tmp_path: Path) -> None:
    (tmp_path / "coachbot.db").write_text("these are my notes, not a database\n")
    assert_one_line(run("chat", {}, tmp_path), "is not an SQLite database")


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_a_port_in_use_is_named_before_any_platform_connects(tmp_path: Path, busy_port: int) -> None:
    result = run("run", {"COACHBOT_HTTP_HOST": "127.0.0.1", "COACHBOT_HTTP_PORT": str(busy_port)},
                 tmp_path)
    assert_one_line(result, f"COACHBOT_HTTP_PORT={busy_port}: cannot listen there")
    assert "getMe" not in result.stderr and "telegram" not in result.stderr.lower()


def test_good_settings_are_read_in_one_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACHBOT_MENTORS", " telegram:123, slack:U0ABC ,console:mia")
    monkeypatch.setenv("COACHBOT_QUIET_HOURS", "off")
    monkeypatch.setenv("COACHBOT_REMINDER_AFTER_HOURS", "2.5")
    monkeypatch.setenv("COACHBOT_LOG_LEVEL", "debug")
    settings = load_settings()
    assert settings.mentors == {"telegram:123", "slack:U0ABC", "console:mia"}
    assert settings.quiet_hours is None
    assert settings.reminder_after is not None and settings.reminder_after.total_seconds() == 9000
    assert settings.log_level == "DEBUG"
    monkeypatch.setenv("COACHBOT_DELIVERY_MAX_ATTEMPTS", "2.7")
    with pytest.raises(SettingsError, match=r"COACHBOT_DELIVERY_MAX_ATTEMPTS=2\.7: "):
        load_settings()
