"""How well each FAQ matcher answers newcomer phrasings and refuses everything else.

Usage: python benchmarks/faq_quality.py [--faq PATH] [--eval PATH] [--matcher lexical|hybrid|all]
                                        [--part calibration|held-out|all] [--model DIR]
                                        [--sweep] [--confusions N] [--near-duplicates]

Prints, per matcher: top-1 accuracy on in-scope questions (a fallback counts as wrong; when the
bot asks between close topics, the first one offered counts), the share of out-of-scope questions
rejected, how often the right topic is answered or among the choices offered, plain top-3
recall, how often it asks, how often it answers right without asking, its precision (of all
questions answered without asking, in scope or not, the share answered right), and the most
frequent confusion pairs. --part picks the part of the evaluation set: calibrate thresholds on
"calibration", quote figures from "held-out" (the default). Questions whose topic the FAQ does
not have are left out and counted. The same figures are printed for the items that have no
near-duplicate among the FAQ's own phrasings, and for a separate list of off-topic questions
that the matcher's off-topic examples never saw. --near-duplicates lists those pairs, to check
that new alternates in the FAQ are not copies of evaluation questions.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from rapidfuzz import fuzz, process

from coachbot.content.loader import load_faq
from coachbot.content.models import FaqEntry
from coachbot.faq.base import RankingMatcher
from coachbot.faq.decide import Thresholds
from coachbot.faq.lexical import LexicalMatcher, phrasings
from coachbot.faq.quality import PARTS, EvalSet, Quality, load_eval, measure, rank_all
from coachbot.faq.text import clean
from coachbot.settings import default_data_dir

ROOT = Path(__file__).resolve().parent.parent
NEAR_DUPLICATE = 90  # token_sort_ratio of an eval question to an FAQ phrasing

# Off-topic questions kept apart from the matcher's own off-topic examples, to check they generalise.
HELD_APART = [
    "will it be sunny this weekend", "how cold is it in oslo right now", "forecast for saturday afternoon",
    "what is 48 divided by 6", "solve 2x + 3 = 11", "convert 5 miles to kilometres",
    "how do i cook rice in a pot", "vegan lasagna ingredients", "what wine goes with fish",
    "who is the best footballer ever", "when is the next formula one race", "tennis results today",
    "how do i install numpy", "what is a null pointer exception", "sql join example please",
    "how many calories should i eat a day", "my back hurts after running", "is coffee bad for you",
    "how do i do my taxes", "should i buy bitcoin", "what is a good credit score",
    "best time of year to visit japan", "train from london to paris", "what to pack for a beach holiday",
    "who wrote hamlet", "how far away is the moon", "when did world war two end",
    "what is the speed of light", "recommend a good movie for tonight", "sing me a song",
    "what's your favourite colour", "zxcvbnm", "aaaaaa", "blorp fizzle wump", "xyz", "123456",
    "how do i turn on dark mode in twitter", "why was my instagram account suspended",
    "how do i go live on youtube", "how do i recover a hacked email account",
    "how do i run a giveaway contest", "what size should a youtube thumbnail be",
    "how do i monetize my youtube channel", "how do i report a fake profile",
    "how do i add music to my instagram story", "how do i turn off read receipts on whatsapp",
    "how do i make a gif", "can you translate this into spanish", "what is the meaning of life",
    "how do i fix my wifi", "my phone battery dies fast",
]


def build(name: str, entries: list[FaqEntry], model: Path | None = None) -> RankingMatcher:
    if name == "lexical":
        return LexicalMatcher(entries)
    from coachbot.faq.embedder import MiniLM, file_sha256
    from coachbot.faq.semantic import HybridMatcher, load_embedder

    # Another export to compare (tools/export_faq_model.py --out DIR): trusted as it is.
    embedder = MiniLM(model, file_sha256(model / "model.onnx")) if model else load_embedder()
    return HybridMatcher(entries, embedder, cache_dir=default_data_dir() / "cache")


def near_duplicate_pairs(evaluation: EvalSet, entries: list[FaqEntry]) -> list[tuple[str, str, float]]:
    """(evaluation question, FAQ phrasing, similarity) wherever the two are near-copies."""
    own = [clean(p) for e in entries for p in phrasings(e)]
    pairs = []
    for q, _ in evaluation.in_scope:
        hit = process.extractOne(clean(q), own, scorer=fuzz.token_sort_ratio, processor=None,
                                 score_cutoff=NEAR_DUPLICATE)
        if hit:
            pairs.append((q, str(hit[0]), float(hit[1])))
    return pairs


def near_duplicates(evaluation: EvalSet, entries: list[FaqEntry]) -> set[str]:
    return {q for q, _, _ in near_duplicate_pairs(evaluation, entries)}


def line(label: str, quality: Quality, n_in: int, n_out: int) -> str:
    return (f"  {label:<34} accuracy {quality.accuracy:.3f} (n={n_in})  rejection {quality.rejection:.3f}"
            f" (n={n_out})  precision {quality.precision:.3f}  right topic offered {quality.coverage:.3f}"
            f"  top-3 {quality.top3:.3f}  asked between close topics {quality.ambiguous:.3f}"
            f"  answered right without asking {quality.outright:.3f}")


def report(name: str, matcher: RankingMatcher, evaluation: EvalSet, entries: list[FaqEntry],
           args: argparse.Namespace, seconds: float) -> None:
    policy = matcher.policy
    ranked = rank_all(matcher, evaluation)
    quality = measure(ranked, policy)
    print(f"\n{name}: built in {seconds:.1f} s, {len(entries)} topics, threshold {policy.threshold}, "
          f"margin {policy.margin}; {args.part} part of the evaluation set")
    print(line("evaluation set", quality, len(ranked.in_scope), len(ranked.out_of_scope)))
    dupes = near_duplicates(evaluation, entries)
    fresh = replace(ranked, in_scope=[r for r in ranked.in_scope if r[0] not in dupes])
    print(line("...without FAQ near-duplicates", measure(fresh, policy), len(fresh.in_scope),
               len(fresh.out_of_scope)))
    apart = rank_all(matcher, EvalSet([], HELD_APART))
    print(f"  {'off-topic list held apart':<34} rejection {measure(apart, policy).rejection:.3f} "
          f"(n={len(HELD_APART)})")
    print("  most frequent confusions (expected -> got):")
    for (gold, got), count in quality.confusions.most_common(args.confusions):
        print(f"    {count} x {gold} -> {got}")
    if quality.accepted:
        print("  out-of-scope questions answered anyway:")
        for question, got in quality.accepted:
            print(f"    {question!r} -> {got}")
    if args.sweep:
        sweep(ranked, policy, lambda q: measure(apart, q).rejection)


def sweep(ranked: object, policy: Thresholds, apart: Callable[[Thresholds], float]) -> None:
    from coachbot.faq.quality import Ranked

    assert isinstance(ranked, Ranked)
    print("  threshold sweep: threshold accuracy rejection held-apart-rejection offered")
    low, high = policy.threshold - 0.15, policy.threshold + 0.15
    for step in range(31):
        candidate = replace(policy, threshold=round(low + step * (high - low) / 30, 3))
        q = measure(ranked, candidate)
        print(f"    {candidate.threshold:.3f} {q.accuracy:.3f} {q.rejection:.3f} {apart(candidate):.3f} "
              f"{q.coverage:.3f}")
    print("  margin sweep: margin precision answered-right-without-asking accuracy")
    for step in range(13):
        candidate = replace(policy, margin=round(0.03 + step * 0.01, 3))
        q = measure(ranked, candidate)
        print(f"    {candidate.margin:.3f} {q.precision:.3f} {q.outright:.3f} {q.accuracy:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faq", type=Path, default=ROOT / "content" / "faq.yaml")
    parser.add_argument("--eval", type=Path, default=ROOT / "tests" / "data" / "faq_eval.yaml")
    parser.add_argument("--matcher", choices=["lexical", "hybrid", "all"], default="all")
    parser.add_argument("--part", choices=PARTS, default="held-out",
                        help="which part of the evaluation set (default: held-out, for figures to quote)")
    parser.add_argument("--model", type=Path, metavar="DIR",
                        help="an ONNX export to evaluate instead of the bundled model")
    parser.add_argument("--sweep", action="store_true", help="print accuracy and rejection per threshold")
    parser.add_argument("--confusions", type=int, default=12)
    parser.add_argument("--near-duplicates", action="store_true",
                        help="list evaluation questions that nearly copy an FAQ phrasing")
    args = parser.parse_args()
    entries, _sources, problems = load_faq(args.faq)
    if problems:
        print("\n".join(map(str, problems)), file=sys.stderr)
        return 1
    evaluation = load_eval(args.eval, args.part).covered_by(entries)
    if evaluation.unknown:
        print(f"{evaluation.unknown} in-scope evaluation questions left out: "
              f"their topic is not in {args.faq}")
    if args.near_duplicates:
        pairs = near_duplicate_pairs(evaluation, entries)
        print(f"{len(pairs)} evaluation questions nearly copy an FAQ phrasing "
              f"(token_sort_ratio >= {NEAR_DUPLICATE}):")
        for question, phrasing, ratio in pairs:
            print(f"  {ratio:5.1f}  {question!r} ~ {phrasing!r}")
    names = ["lexical", "hybrid"] if args.matcher == "all" else [args.matcher]
    for name in names:
        started = time.perf_counter()
        matcher = build(name, entries, args.model)
        report(name, matcher, evaluation, entries, args, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
