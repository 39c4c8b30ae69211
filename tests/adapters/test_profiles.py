"""The Telegram and Slack profiles say what their adapters do: the same limits and command."""

from __future__ import annotations

from coachbot_slack.blocks import SECTION_TEXT, text_blocks
from coachbot_slack.listeners import COMMAND
from coachbot_slack.profile import PROFILE as SLACK
from coachbot_telegram.profile import PROFILE as TELEGRAM
from coachbot_telegram.render import TEXT_LIMIT, split_text
from telegram.constants import MessageLimit

from coachbot.platform import installed


def test_both_profiles_are_installed_through_their_entry_points() -> None:
    assert {TELEGRAM, SLACK} <= set(installed())


def test_a_text_the_telegram_profile_accepts_goes_out_as_one_message() -> None:
    assert TELEGRAM.largest_message == TEXT_LIMIT == MessageLimit.MAX_TEXT_LENGTH
    longest = "🙂" * (TEXT_LIMIT // 2)  # two UTF-16 units each: exactly the limit
    assert TELEGRAM.measure(longest) == TEXT_LIMIT
    assert split_text(longest) == [longest]
    assert len(split_text(longest + "🙂")) == 2


def test_a_text_the_slack_profile_accepts_fits_one_section() -> None:
    assert SLACK.largest_message == SECTION_TEXT
    assert SLACK.command_prefix == COMMAND
    longest = "a&b " * (SECTION_TEXT // 8)  # & is sent as &amp;: eight characters a piece
    assert SLACK.measure(longest.strip()) <= SECTION_TEXT
    assert len(text_blocks(longest)) == 1
    assert len(text_blocks(longest + "a&b " * 10)) == 2
