"""Free-text matching as a learner meets it: paraphrases, typos, off-topic questions, close calls,
on the bundled FAQ (the questions name its topics).

Every behaviour is checked on each matcher: the lexical one, and the semantic hybrid (with
the bundled model) both scoring every topic and scoring only a shortlist, as it does for a
large FAQ.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coachbot.content import Content, FaqEntry
from coachbot.faq.base import FaqMatcher
from coachbot.faq.lexical import LexicalIndex, LexicalMatcher
from coachbot.faq.smalltalk import small_talk

MATCHERS = ["lexical", "hybrid", "hybrid-shortlist"]
SHORT = 4  # topics scored in full by "hybrid-shortlist", so the bundled FAQ counts as large


def shared_cache(factory: pytest.TempPathFactory) -> Path:
    """One FAQ index cache for the whole test run: embedding the bundled FAQ takes seconds."""
    return factory.getbasetemp() / "faq-home" / "cache"


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_cache(tmp_path_factory)


def make(kind: str, entries: list[FaqEntry], cache_dir: Path) -> FaqMatcher:
    if kind == "lexical":
        return LexicalMatcher(entries)
    from coachbot.faq.semantic import SHORTLIST, HybridMatcher, load_embedder

    shortlist = SHORT if kind == "hybrid-shortlist" else SHORTLIST
    return HybridMatcher(entries, load_embedder(), cache_dir, shortlist=shortlist)


@pytest.fixture(scope="module", params=MATCHERS)
def matcher(request: pytest.FixtureRequest, bundled_content: Content, cache_dir: Path) -> FaqMatcher:
    return make(request.param, bundled_content.faq, cache_dir)


def answered(matcher: FaqMatcher, question: str) -> str | None:
    found = matcher.match(question)
    return found.entry.id if found.entry else None


@pytest.mark.parametrize(("question", "topic"), [
    ("How do I pause my lessons?", "pause-lessons"),
    ("how do i pause", "pause-lessons"),
    ("how do i pause my lessons", "pause-lessons"),
    ("HOW DO I PAUSE MY LESSONS!!!", "pause-lessons"),
    ("um ok so how do i pause my lessons", "pause-lessons"),
    ("my lessons, how do i pause them", "pause-lessons"),
    ("how do i chnage my timezon", "change-timezone"),
    ("nobody likes my posts", "no-results-yet"),
])
def test_casing_punctuation_fillers_word_order_and_typos_reach_the_same_topic(
        matcher: FaqMatcher, question: str, topic: str) -> None:
    assert answered(matcher, question) == topic


@pytest.mark.parametrize("question", [
    "whats the weather in paris tomorrow", "how do i make banana bread", "square root of 144",
    "asdfgh jkl", "banana", "lol", "", "?!",
])
def test_out_of_scope_questions_get_the_fallback_not_a_confident_answer(
        matcher: FaqMatcher, question: str) -> None:
    found = matcher.match(question)
    assert found.entry is None
    assert not found.ambiguous


def test_typos_are_repaired_but_other_forms_of_the_faqs_own_words_are_kept() -> None:
    index = LexicalIndex([FaqEntry(id="chat", question="What is this chat for?", answer="Coaching.",
                                   alternates=("change my reminders",))])
    assert index.repair(["chnage", "my", "remiders"]) == ["change", "my", "reminders"]
    assert index.repair(["chats", "changed"]) == ["chats", "changed"]


def test_a_partly_related_question_falls_back_with_the_closest_topics_as_suggestions(
        matcher: FaqMatcher) -> None:
    found = matcher.match("lesson streak")
    assert found.entry is None or found.entry.id in {"what-is-a-streak", "see-progress", "missed-a-day"}
    if found.entry is None:
        assert 1 <= len(found.candidates) <= 3


def test_two_topics_scoring_close_together_are_offered_as_a_choice(cache_dir: Path) -> None:
    twins = [
        FaqEntry(id="pause", question="How do I pause the daily lessons?", answer="Type pause.",
                 alternates=("stop the daily lessons for a while",)),
        FaqEntry(id="quiet", question="How do I pause the daily reminders?", answer="Type reminders off.",
                 alternates=("stop the daily reminders for a while",)),
        FaqEntry(id="tracks", question="Which tracks are there?", answer="Type tracks.",
                 alternates=("list the tracks",)),
    ]
    for kind in MATCHERS:
        found = make(kind, twins, cache_dir).match("pause the daily")
        assert found.ambiguous, kind
        assert found.entry is None
        assert {e.id for e in found.candidates} == {"pause", "quiet"}


@pytest.mark.parametrize(("question", "topic"), [
    ("what is 17 times 23", None),
    ("how long till i get followers", "get-more-followers"),
    ("should i buy followers", "buying-followers"),
    ("how many times a day should i be posting", "how-often-to-post"),
    ("how do i set an alarm", None),
])
def test_a_question_is_answered_by_its_own_topic_or_not_at_all(
        question: str, topic: str | None, bundled_content: Content, cache_dir: Path) -> None:
    """Known traps: "times" is not about time zones, "how long" not about a track's length, posts a
    day not minutes a day, an alarm not a lesson's time.

    Without its topic in the FAQ, the question gets no confident answer.
    """
    found = make("hybrid", bundled_content.faq, cache_dir).match(question)
    have = {e.id for e in bundled_content.faq}
    assert (found.entry.id if found.entry else None) == (topic if topic in have else None)


@pytest.mark.parametrize(("message", "expected"), [
    ("hello", "Hi!"), ("Hi there!", "Hi!"), ("thanks!", "welcome"), ("thank you so much", "welcome"),
    ("who are you?", "your coach"), ("hey, who are you", "your coach"), ("bye", "Bye"),
    ("lol", "fun"), ("LMAO", "fun"), ("haha ok", "Great"), ("ok cool", "Great"),
    ("ur kinda cool", "kind of you"),
    ("you're so helpful!", "kind of you"), ("👍", "Great"), ("??", "Ask me anything"),
])
def test_small_talk_gets_a_short_friendly_reply(message: str, expected: str) -> None:
    reply = small_talk(message)
    assert reply is not None and expected in reply


@pytest.mark.parametrize("message", ["how do i pause", "who are you and what do you do for me",
                                     "thanks but how do i change the time", "lol how do i pause",
                                     "is it cool to post every day", "", "🙂 مرحبا كيف حالك"])
def test_real_questions_are_not_mistaken_for_small_talk(message: str) -> None:
    assert small_talk(message) is None
