"""Every reply fits Block Kit's limits, so Slack never refuses a lesson as invalid_blocks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import coachbot_slack
import pytest
import yaml
from coachbot_slack import SlackAdapter, SlackConfig
from coachbot_slack.blocks import pressed_blocks, reply_blocks

from coachbot.content import Content
from coachbot.learning.render import lesson_reply
from coachbot.messages import Choice, Reply
from coachbot.settings import SettingsError
from tests.adapters.slack.kit import buttons, texts


def check_limits(blocks: list[dict[str, Any]]) -> None:
    assert 0 < len(blocks) <= 50
    for block in blocks:
        text = block.get("text") or {}
        if block["type"] == "section":
            assert len(text["text"]) <= 3000
        if block["type"] == "header":
            assert len(text["text"]) <= 150
    for element in buttons(blocks):
        assert len(element["text"]["text"]) <= 75 and len(element["value"]) <= 2000
    action_ids = [b["action_id"] for b in buttons(blocks)]
    assert len(action_ids) == len(set(action_ids))


def test_every_lesson_renders_within_limits_with_a_button_per_answer(content: Content) -> None:
    for track in content.tracks:
        for index, lesson in enumerate(track.lessons):
            reply = lesson_reply(track, index)
            blocks = reply_blocks(reply)
            check_limits(blocks)
            assert [b["value"] for b in buttons(blocks)] == [c.action for c in reply.choices]
            assert lesson.title in texts(blocks) and lesson.checkin.question in texts(blocks)
            for choice in lesson.checkin.choices:  # long answers are shown whole beside their button
                assert choice.text.replace("&", "&amp;").replace("<", "&lt;")[:60] in texts(blocks)


def test_long_text_is_split_and_markup_characters_are_shown_as_typed() -> None:
    long = "\n\n".join(f"Paragraph {i}: " + "words & <more> words " * 30 for i in range(20))
    blocks = reply_blocks(Reply(long, (Choice("A label far longer than any button may carry " * 3, "x"),)))
    check_limits(blocks)
    assert len([b for b in blocks if b["type"] == "section"]) > 3
    assert "&amp; &lt;more&gt;" in texts(blocks)


def test_a_pressed_message_loses_its_buttons_and_shows_the_choice(content: Content) -> None:
    track = content.tracks[0]
    lesson = lesson_reply(track, 0)
    picked = pressed_blocks(reply_blocks(lesson), "Pick the network", Reply("Good call."))
    assert buttons(picked) == []
    shown = texts(picked)
    assert track.lessons[0].title in shown and "You picked: *Pick the network*" in shown
    assert shown.endswith("Good call.")


@pytest.mark.parametrize(("env", "variable"), [
    ({"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "SLACK_APP_TOKEN"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "slack.com"},
     "SLACK_API_URL"),
])
def test_settings_name_the_variable_that_is_wrong(env: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        SlackConfig.from_env(env)


def test_socket_mode_needs_no_signing_secret_and_the_api_url_gets_its_slash() -> None:
    config = SlackConfig.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1",
                                   "SLACK_API_URL": "http://127.0.0.1:9/api"})
    assert config.socket_mode and config.api_url == "http://127.0.0.1:9/api/"


def test_the_manifest_subscribes_to_every_event_and_command_the_app_handles(
        adapter: SlackAdapter) -> None:
    manifest = yaml.safe_load((Path(coachbot_slack.__file__).parent / "manifest.yaml").read_text())
    events = {"message" if e == "message.im" else e
              for e in manifest["settings"]["event_subscriptions"]["bot_events"]}
    assert events == set(adapter.listeners.event_handlers())
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/coach"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "commands", "im:history", "im:write", "users:read", "files:write"} <= scopes
