"""Quality floors on the evaluation set, a little below the measured figures so regressions fail.

The semantic hybrid is held to its floor when the `semantic` extra is installed, and must be
installed when COACHBOT_REQUIRE_SEMANTIC=1 (CI); otherwise the lexical matcher is held to its own.
Exact figures and confusion pairs: python benchmarks/faq_quality.py.
"""

from __future__ import annotations

import os

import pytest

from coachbot.content import Content
from coachbot.faq.base import RankingMatcher
from coachbot.faq.choose import semantic_available
from coachbot.faq.lexical import LexicalMatcher
from coachbot.faq.quality import Quality, load_eval, measure, rank_all
from tests.conftest import ROOT
from tests.unit.test_faq_matching import shared_cache

REQUIRE_SEMANTIC = os.environ.get("COACHBOT_REQUIRE_SEMANTIC") == "1"
EVAL = ROOT / "tests" / "data" / "faq_eval.yaml"

# (accuracy, rejection, right topic offered); measured figures are in the README.
FLOORS = {"hybrid": (0.93, 0.92, 0.96), "lexical": (0.77, 0.87, 0.86)}


@pytest.fixture(scope="module")
def matcher(content: Content, tmp_path_factory: pytest.TempPathFactory) -> RankingMatcher:
    if REQUIRE_SEMANTIC or semantic_available():
        assert semantic_available(), "COACHBOT_REQUIRE_SEMANTIC=1 but the 'semantic' extra is not installed"
        from coachbot.faq.semantic import HybridMatcher, load_embedder

        return HybridMatcher(content.faq, load_embedder(), shared_cache(tmp_path_factory))
    return LexicalMatcher(content.faq)


@pytest.fixture(scope="module")
def quality(matcher: RankingMatcher) -> Quality:
    return measure(rank_all(matcher, load_eval(EVAL)), matcher.policy)


def test_in_scope_questions_get_the_right_answer(matcher: RankingMatcher, quality: Quality) -> None:
    assert quality.accuracy >= FLOORS[matcher.name][0], quality.confusions.most_common(10)


def test_out_of_scope_questions_get_the_fallback(matcher: RankingMatcher, quality: Quality) -> None:
    assert quality.rejection >= FLOORS[matcher.name][1], quality.accepted


def test_the_right_topic_is_answered_or_offered_as_a_choice(matcher: RankingMatcher,
                                                              quality: Quality) -> None:
    assert quality.coverage >= FLOORS[matcher.name][2]
