"""Platforms are plug-ins: a package that only declares an entry point is run, paced, checked
and named by coachbot, with no change under coachbot/ (the loopback platform in tests/plugin)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import aiohttp
import pytest

from coachbot.bootstrap import build_throttles
from coachbot.conversation.commands import parse
from coachbot.delivery.limits import PlatformLimits, Rate
from coachbot.platform import installed
from coachbot.settings import Settings
from tests.adapters.running import clean_env, coachbot_run
from tests.unit.test_content_rules import copy_content, edit_track

PLUGIN_DIR = Path(__file__).resolve().parents[1] / "plugin"
WAIT = 60.0
LOOPBACK_LINE = "bytes as sent on Loopback, which takes at most 1,300 in one message"


def with_paths(env: Mapping[str, str], *folders: Path) -> dict[str, str]:
    """`env` with `folders` in front of PYTHONPATH, where importlib.metadata finds their packages."""
    paths = [str(folder) for folder in folders] + [p for p in [env.get("PYTHONPATH", "")] if p]
    return {**env, "PYTHONPATH": os.pathsep.join(paths)}


def coachbot(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "coachbot", *args], capture_output=True, text=True,
                          timeout=120, env=dict(env))


async def say(port: int, user: str, text: str) -> list[str]:
    async with aiohttp.ClientSession() as session, session.post(
            f"http://127.0.0.1:{port}/loopback/messages", json={"user": user, "text": text}) as answer:
        assert answer.status == 200
        replies: list[str] = await answer.json()
        return replies


async def test_coachbot_run_serves_a_plugged_in_platform_and_the_coach_answers_there(tmp_path: Path) -> None:
    env = with_paths(clean_env({"LOOPBACK_TOKEN": "open-sesame", "COACHBOT_DATA_DIR": str(tmp_path),
                                "COACHBOT_STARTUP_RETRY_SECONDS": "0.3"}), PLUGIN_DIR)
    async with coachbot_run(env, WAIT) as running:
        assert "coachbot is running: loopback;" in running.text
        welcome = await say(running.port, "ann", "start")
        helped = await say(running.port, "ann", "/loop help")  # behind the platform's own command
        assert await running.stop(WAIT) == 0
    assert "Welcome!" in welcome[0]
    assert "Here is what I understand" in helped[0]


def test_coachbot_run_with_nothing_configured_names_the_plugged_in_platform(tmp_path: Path) -> None:
    result = coachbot(with_paths(clean_env({"COACHBOT_DATA_DIR": str(tmp_path)}), PLUGIN_DIR), "run")
    assert result.returncode == 1
    assert "LOOPBACK_TOKEN (Loopback)" in result.stderr
    assert "TELEGRAM_BOT_TOKEN (Telegram)" in result.stderr and "coachbot chat" in result.stderr


def test_content_check_holds_lessons_to_a_plugged_in_platforms_largest_message(tmp_path: Path) -> None:
    root = copy_content(tmp_path)
    first = sorted(root.glob("tracks/*.yaml"))[0].stem

    def emoji_body(data: dict[str, list[dict[str, str]]]) -> None:
        data["lessons"][0]["body"] = " ".join(["🙂🙂"] * 100)  # 299 characters, 800 bytes in UTF-8

    edit_track(root, first, emoji_body)
    env = clean_env({"COACHBOT_DATA_DIR": str(tmp_path)})
    without = coachbot(env, "content", "check", str(root))
    plugged = coachbot(with_paths(env, PLUGIN_DIR), "content", "check", str(root))
    assert without.returncode == 0, without.stderr  # within 1,200 characters, Telegram's and Slack's limits
    assert plugged.returncode == 1
    found = [line for line in plugged.stderr.splitlines() if LOOPBACK_LINE in line]
    assert len(found) == 1 and found[0].startswith(str(root / "tracks" / f"{first}.yaml")), found
    assert ": lessons[0]: 1," in found[0]  # the lesson, its field and how many bytes it took


def test_a_plug_in_that_cannot_be_loaded_is_named(tmp_path: Path) -> None:
    info = tmp_path / "coachbot_broken-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: coachbot-broken\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[coachbot.platforms]\nbroken = coachbot_nowhere.profile:PROFILE\n")
    result = coachbot(with_paths(clean_env({"COACHBOT_DATA_DIR": str(tmp_path)}), tmp_path), "run")
    assert result.returncode == 2
    assert ("coachbot: the plug-in 'broken' (coachbot_nowhere.profile:PROFILE, from coachbot-broken 1.0) "
            "in coachbot.platforms cannot be loaded: ModuleNotFoundError") in result.stderr
    assert "Traceback" not in result.stderr


def test_a_platform_whose_library_is_missing_says_what_to_install(tmp_path: Path) -> None:
    missing = tmp_path / "without-telegram"
    missing.mkdir()  # python-telegram-bot, as if the extra had not been installed
    (missing / "telegram.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'telegram'\", name='telegram')\n")
    env = clean_env({"TELEGRAM_BOT_TOKEN": "123456:" + "A" * 35, "COACHBOT_DATA_DIR": str(tmp_path)})
    result = coachbot(with_paths(env, missing), "run")
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is set, but the telegram support is not installed: " \
           "pip install 'coachbot[telegram]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_loads_no_platform_library_and_lists_the_consoles_chat() -> None:
    script = ("import sys\nfrom coachbot.cli import main\ntry:\n    main(['--help'])\n"
              "except SystemExit:\n    pass\nprint(json.dumps(sorted(sys.modules)), file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", "import json\n" + script], capture_output=True,
                            text=True, timeout=120, env=clean_env({}))
    loaded = set(json.loads(result.stderr.splitlines()[-1]))
    assert "chat with the coach in this terminal" in result.stdout
    heavy = {"telegram", "slack_bolt", "slack_sdk", "onnxruntime", "tokenizers", "coachbot_console.chat",
             "coachbot_telegram.adapter", "coachbot_slack.adapter", "coachbot.conversation"}
    assert loaded.isdisjoint(heavy), sorted(loaded & heavy)


@pytest.fixture
def plugged_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The loopback platform installed in this process too."""
    monkeypatch.syspath_prepend(str(PLUGIN_DIR))
    installed.cache_clear()
    yield
    monkeypatch.undo()
    installed.cache_clear()


@pytest.mark.usefixtures("plugged_in")
def test_a_plugged_in_platform_is_paced_by_its_own_limits_and_its_prefix_is_read() -> None:
    throttles = build_throttles(Settings())
    assert throttles.for_platform("loopback").limits == PlatformLimits(per_chat=Rate(2, 1))
    assert throttles.for_platform("telegram").limits.overall == Rate(30, 1)
    assert [p.name for p in installed()] == ["loopback", "slack", "telegram"]
    assert parse("/loop progress").command == "progress"
    assert parse("/coach progress").command == "progress"
