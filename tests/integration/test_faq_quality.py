"""Quality floors on the evaluation set, a little below the measured figures so regressions fail.

Both matchers are held to their own floors on the whole set (calibration and held-out parts),
counting only questions whose topic the bundled FAQ has. Exact figures and confusion pairs:
python benchmarks/faq_quality.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rapidfuzz import fuzz, process

from coachbot.content import Content, FaqEntry
from coachbot.faq.base import RankingMatcher
from coachbot.faq.lexical import LexicalMatcher
from coachbot.faq.offtopic import OFF_TOPIC, SUPERSEDED
from coachbot.faq.quality import EvalSet, Quality, load_eval, measure, rank_all
from coachbot.faq.semantic import HybridMatcher, load_embedder
from coachbot.faq.text import clean
from tests.conftest import ROOT, SHARED
from tests.unit.test_faq_matching import shared_cache

EVAL = ROOT / "tests" / "data" / "faq_eval.yaml"
NEAR_COPY = 90  # token_sort_ratio, as benchmarks/faq_quality.py --near-duplicates uses for the FAQ

# (accuracy, rejection, right topic offered, precision); measured figures are in the README.
# Measured on the whole set with the 64-topic FAQ (775 questions in scope, 216 out): semantic
# 0.952, 0.968, 0.985, 0.985; lexical 0.815, 0.824, 0.880, 0.917.
FLOORS = {"hybrid": (0.94, 0.955, 0.975, 0.975), "lexical": (0.80, 0.815, 0.86, 0.90)}


@pytest.fixture(scope="module", params=["hybrid", "lexical"])
def matcher(request: pytest.FixtureRequest, bundled_content: Content,
            tmp_path_factory: pytest.TempPathFactory) -> RankingMatcher:
    if request.param == "lexical":
        return LexicalMatcher(bundled_content.faq)
    return HybridMatcher(bundled_content.faq, load_embedder(), shared_cache(tmp_path_factory))


@pytest.fixture(scope="module")
def quality(matcher: RankingMatcher) -> Quality:
    return measure(rank_all(matcher, load_eval(EVAL).covered_by(matcher.entries)), matcher.policy)


def test_in_scope_questions_get_the_right_answer(matcher: RankingMatcher, quality: Quality) -> None:
    assert quality.accuracy >= FLOORS[matcher.name][0], quality.confusions.most_common(10)


def test_out_of_scope_questions_get_the_fallback(matcher: RankingMatcher, quality: Quality) -> None:
    assert quality.rejection >= FLOORS[matcher.name][1], quality.accepted


def test_the_right_topic_is_answered_or_offered_as_a_choice(matcher: RankingMatcher,
                                                              quality: Quality) -> None:
    assert quality.coverage >= FLOORS[matcher.name][2]


def test_answers_given_without_asking_are_right(matcher: RankingMatcher, quality: Quality) -> None:
    wrong = quality.confusions.most_common(10), quality.accepted
    assert quality.precision >= FLOORS[matcher.name][3], wrong


def test_the_parts_of_the_evaluation_set_are_disjoint_and_make_up_the_whole() -> None:
    calibration, held_out, whole = (load_eval(EVAL, part) for part in ("calibration", "held-out", "all"))
    assert calibration.in_scope and held_out.in_scope and held_out.out_of_scope
    asked = {q for q, _ in calibration.in_scope} | set(calibration.out_of_scope)
    assert asked.isdisjoint({q for q, _ in held_out.in_scope} | set(held_out.out_of_scope))
    assert len(whole.in_scope) == len(calibration.in_scope) + len(held_out.in_scope)
    fresh = load_eval(EVAL, "fresh")
    assert fresh.in_scope and set(fresh.in_scope) <= set(held_out.in_scope)
    assert fresh.out_of_scope and set(fresh.out_of_scope) <= set(held_out.out_of_scope)


def test_no_evaluation_question_is_a_copy_of_an_off_topic_example() -> None:
    """The off-topic examples are the matcher's own knowledge: a copied question would score itself."""
    examples = [clean(e) for e in OFF_TOPIC] + [clean(e) for es in SUPERSEDED.values() for e in es]
    asked = load_eval(EVAL)
    copies = [(q, hit[0]) for q in [q for q, _ in asked.in_scope] + asked.out_of_scope
              if (hit := process.extractOne(clean(q), examples, scorer=fuzz.token_sort_ratio,
                                            processor=None, score_cutoff=NEAR_COPY))]
    assert copies == []


def test_every_expected_topic_is_in_the_faq_or_among_the_curriculums_required_topics(
        bundled_content: Content) -> None:
    """Questions for topics the FAQ lacks are left out; a misspelt id must not be left out silently."""
    topics = SHARED / "faq-topics.yaml"
    assert topics.is_file(), f"{topics} is absent: the shared topic list sits beside the checkout"
    known = {e.id for e in bundled_content.faq} | {row["id"] for row in yaml.safe_load(topics.read_text())}
    expected = {gold for _, gold in load_eval(EVAL).in_scope}
    assert sorted(expected - known) == []


def test_questions_whose_topic_the_faq_lacks_are_left_out_and_counted() -> None:
    faq = [FaqEntry(id="pause-lessons", question="Can I pause?", answer="Type pause.")]
    evaluation = EvalSet([("can i pause", "pause-lessons"), ("how often should i post", "how-often-to-post")],
                         ["whats the weather"])
    covered = evaluation.covered_by(faq)
    assert covered.in_scope == [("can i pause", "pause-lessons")]
    assert covered.unknown == 1 and covered.out_of_scope == ["whats the weather"]


def test_the_quality_benchmark_reports_the_left_out_questions_and_each_part(tmp_path: Path) -> None:
    faq = tmp_path / "faq.yaml"
    faq.write_text(
        "- id: pause-lessons\n  question: Can I pause my lessons for a while?\n"
        "  answer: Type pause; type resume to carry on.\n"
        "  alternates: [i need a break from the lessons, going on holiday, hold my lessons]\n")
    evaluation = tmp_path / "eval.yaml"
    evaluation.write_text(yaml.safe_dump({
        "in_scope": [{"q": "can i take a break", "id": "pause-lessons"},
                     {"q": "how often should i post", "id": "how-often-to-post"}],
        "out_of_scope": ["whats the weather"],
        "held_out": {"in_scope": [{"q": "hold my lessons pls", "id": "pause-lessons"},
                                  {"q": "should i buy followers", "id": "buying-followers"},
                                  {"q": "is this a scam", "id": "scam-messages"}],
                     "out_of_scope": ["how tall is everest"]}}))
    runs = {part: subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "faq_quality.py"), "--matcher", "lexical",
         "--faq", str(faq), "--eval", str(evaluation), "--part", part],
        capture_output=True, text=True, timeout=120, check=False) for part in ("calibration", "held-out")}
    for part, done in runs.items():
        assert done.returncode == 0, done.stderr
        assert f"{part} part of the evaluation set" in done.stdout
    assert "1 in-scope evaluation questions left out" in runs["calibration"].stdout
    assert "2 in-scope evaluation questions left out" in runs["held-out"].stdout
    assert "accuracy 1.000 (n=1)" in runs["held-out"].stdout
