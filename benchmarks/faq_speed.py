"""Index build time, per-query latency and peak memory on a 10,000-entry FAQ, beside a plain baseline.

Usage: python benchmarks/faq_speed.py [--entries 10000] [--queries 300]

The baseline is what a simple bot would do: rapidfuzz.process.extractOne over the 10,000
questions. Each contender runs in its own process so peak memory (max RSS) is its own; the
hybrid is built twice, cold (embedding everything) and warm (index read from its cache).
"whole s" is that process from start to exit (interpreter, imports, building, every query),
and "vs baseline" its ratio to the baseline's whole process.
Latency is wall-clock time per question; "cpu p50" is the processor time the question itself
used, which other processes on a busy machine cannot inflate. "found" is the share of queries
whose source entry was answered or offered as a choice (the queries are shuffled, misspelt
alternates of generated entries that differ only slightly, so no contender finds them all).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from coachbot.content.models import FaqEntry


def _words(text: str) -> list[str]:
    return text.split()


SUBJECTS = _words("""post comment follower review lesson streak reminder mentor track boss customer photo
video story reel profile page group newsletter blog event shop bakery studio library podcast brand team
colleague neighbour client audience message reply hashtag schedule plan goal budget campaign""")
ACTIONS = _words("""share write answer delete edit schedule pause plan measure grow promote ignore thank
invite welcome moderate pin archive report block follow mention tag quote translate shorten""")
MODIFIERS = ["every morning", "at the weekend", "in public", "in private", "for a small business",
             "for a volunteer group", "after a mistake", "before a launch", "with no budget",
             "on a busy day", "for beginners", "without sounding robotic", "when nobody replies",
             "when people complain", "in a friendly way", "for the first time"]
FRAMES = ["How do I {a} a {s} {m}?", "Should I {a} my {s} {m}?", "Is it okay to {a} a {s} {m}?",
          "What is the best way to {a} our {s} {m}?", "Why would I {a} the {s} {m}?"]


def synthetic_faq(size: int, seed: int = 7) -> list[FaqEntry]:
    rng = random.Random(seed)
    entries: list[FaqEntry] = []
    seen: set[str] = set()
    while len(entries) < size:
        s, a, m = rng.choice(SUBJECTS), rng.choice(ACTIONS), rng.choice(MODIFIERS)
        question = rng.choice(FRAMES).format(a=a, s=s, m=m)
        if question in seen:
            question = question.replace("?", f" (case {len(entries)})?")
        seen.add(question)
        alternates = (f"{a} {s} {m}", f"can i {a} the {s}", f"tips to {a} a {rng.choice(SUBJECTS)} {m}")
        entries.append(FaqEntry(id=f"topic-{len(entries)}", question=question,
                                answer=f"To {a} a {s} {m}, start small and ask a mentor.",
                                alternates=alternates))
    return entries


def queries(entries: list[FaqEntry], count: int, seed: int = 11) -> list[tuple[str, str]]:
    """Shuffled alternates with one swapped pair of letters, each with the id of its entry."""
    rng = random.Random(seed)
    out = []
    for entry in rng.sample(entries, count):
        words = rng.choice(entry.alternates).split()
        rng.shuffle(words)
        text = " ".join(words)
        if len(text) > 6:  # one typo
            i = rng.randrange(1, len(text) - 1)
            text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
        out.append((text, entry.id))
    return out


def contender(kind: str, entries: list[FaqEntry], cache: Path) -> Callable[[str], set[str]]:
    """Build one contender; it returns the ids it would show for a question."""
    if kind == "baseline":
        from rapidfuzz import process

        questions = [e.question for e in entries]

        def extract_one(q: str) -> set[str]:
            hit = process.extractOne(q, questions)
            return {entries[hit[2]].id} if hit else set()
        return extract_one
    from coachbot.faq.base import FaqMatcher
    from coachbot.faq.quality import offered

    matcher: FaqMatcher
    if kind == "lexical":
        from coachbot.faq.lexical import LexicalMatcher

        matcher = LexicalMatcher(entries)
    else:
        from coachbot.faq.semantic import HybridMatcher, load_embedder

        matcher = HybridMatcher(entries, load_embedder(), cache)
    return lambda q: offered(matcher.match(q))


def measure(kind: str, size: int, count: int, cache: Path) -> dict[str, float]:
    entries = synthetic_faq(size)
    asked = queries(entries, count)
    started = time.perf_counter()
    answer = contender(kind, entries, cache)
    build = time.perf_counter() - started
    for q, _ in asked[:20]:  # warm-up: first calls allocate and compile kernels
        answer(q)
    latencies, cpu, found = [], [], 0
    for q, source in asked:
        started, used = time.perf_counter(), time.process_time()
        shown = answer(q)
        latencies.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
        found += source in shown
    latencies.sort()
    return {"build_s": build, "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
            "cpu_p50_ms": 1000 * statistics.median(cpu), "found": found / len(asked),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run(kind: str, args: argparse.Namespace, cache: Path) -> dict[str, float] | None:
    command = [sys.executable, __file__, "--one", kind, "--entries", str(args.entries),
               "--queries", str(args.queries), "--cache", str(cache)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    whole = time.perf_counter() - started
    if done.returncode != 0:
        print(f"{kind}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
        return None
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return {**result, "whole_s": whole}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.entries, args.queries, args.cache)))
        return 0
    kinds = ["baseline", "lexical", "hybrid", "hybrid"]
    labels = ["rapidfuzz extractOne (baseline)", "lexical matcher", "hybrid, cold (embeds)",
              "hybrid, warm (cached index)"]
    print(f"{args.entries} FAQ entries (question + 3 alternates each), {args.queries} queries\n")
    print(f"{'':32} {'build s':>9} {'p50 ms':>8} {'p99 ms':>8} {'cpu p50':>8} {'peak MB':>8} {'found':>6}"
          f" {'whole s':>8} {'vs baseline':>11}")
    baseline = None
    with tempfile.TemporaryDirectory() as cache:
        for kind, label in zip(kinds, labels, strict=False):
            result = run(kind, args, Path(cache))
            if result:
                baseline = baseline or result["whole_s"]
                print(f"{label:32} {result['build_s']:9.2f} {result['p50_ms']:8.2f} "
                      f"{result['p99_ms']:8.2f} {result['cpu_p50_ms']:8.2f} {result['peak_mb']:8.0f} "
                      f"{result['found']:6.2f} {result['whole_s']:8.2f} {result['whole_s'] / baseline:11.2f}",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
