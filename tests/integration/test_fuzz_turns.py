"""Property: whatever anyone types or presses, every turn answers and nothing escapes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachbot.conversation import Coach
from coachbot.messages import ChatKind, Incoming

WORDS = ["start", "next", "done", "today", "progress", "tracks", "track", "tz", "time", "pause",
         "resume", "stop", "forget", "yes", "help", "push", "schedule", "report", "digest", "skip",
         "Europe", "America/New_York", "09:00", "25:99", "basics", "/coach", "/start", "g-100"]
PREFIXES = ["answer:", "done:", "track:", "tz:", "time:", "forget:", "faq:", "cmd:", "#", ""]

# Any text at all, including NUL, lone surrogates and digits no int() reads, and lines made of
# the bot's own words so the fuzzing reaches past the first branch of the conversation.
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=80)
WORDY = st.lists(st.one_of(st.sampled_from(WORDS), ANY_TEXT), min_size=1, max_size=4).map(" ".join)
ACTION = st.tuples(st.sampled_from(PREFIXES), st.one_of(st.sampled_from(WORDS), ANY_TEXT)).map("".join)
TURN = st.tuples(st.one_of(ANY_TEXT, WORDY), st.one_of(st.none(), ACTION), st.booleans(), st.booleans())


def incoming(text: str, action: str | None, in_group: bool, admin: bool, user: str) -> Incoming:
    return Incoming(platform="fuzz", user_id=user, text=text, action=action, display_name=text[:30],
                    chat_id="-100" if in_group else user,
                    chat_kind=ChatKind.GROUP if in_group else ChatKind.PRIVATE, is_chat_admin=admin)


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(turns=st.lists(TURN, min_size=1, max_size=6))
async def test_every_turn_gets_a_reply(coach: Coach,
                                       turns: list[tuple[str, str | None, bool, bool]]) -> None:
    for text, action, in_group, admin in turns:
        replies = await coach.handle(incoming(text, action, in_group, admin, "fuzzer"))
        assert replies, (text, action)
        assert all(reply.text.strip() for reply in replies), (text, action)
