"""What a person waits for in `coachbot chat`: the prompt, the first answer, and each question after.

Usage: python benchmarks/faq_chat.py [--repeat 7] [--questions 200] [--compare PYTHON ...]
                                     [--matcher-only]

For each contender, in fresh processes (`python -m coachbot chat` on a new SQLite file, the FAQ
index already cached by one run before the timed ones):

- "to the prompt": a chat given no input: start, open the database, build the coach, reach
  the prompt, quit;
- "first answer": from starting the chat to its answer of one question on the bundled FAQ
  (with the semantic matcher this includes loading the model), then quitting;
- "matcher": in a process of its own, the wall time to choose the matcher at start-up and the
  wall time (and processor time) of the first question after that (with the semantic matcher,
  loading the model and the cached FAQ index happen here), then the processor time per question
  for the evaluation set's questions with the matcher warm (p50 and p90).

Both chat timings are given as wall time and as the processor time the chat process used
(user + system), which other work on a shared machine inflates far less. Each is repeated
and the median printed. The contenders are the lexical matcher (COACHBOT_FAQ_LEXICAL=1), the semantic
hybrid, and, with --compare, the same for another installation's interpreter (say, a virtualenv
holding an earlier version).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "can i take a holiday from the tips"

# Runs inside the contender's interpreter: only APIs every version of coachbot has.
PER_QUESTION = """
import json, random, sys, time, yaml
from coachbot.content.loader import load_faq
from coachbot.faq.choose import choose_matcher
from coachbot.settings import default_content_dir
from pathlib import Path
entries = load_faq(default_content_dir() / "faq.yaml")[0]
started = time.perf_counter()
matcher = choose_matcher(entries, Path(sys.argv[1]))
built = time.perf_counter() - started
used = time.process_time()
matcher.match("can i take a holiday from the tips")
first = time.perf_counter() - started - built
first_cpu = time.process_time() - used
data = yaml.safe_load(open(sys.argv[2]))
parts = [data, data.get("held_out") or {}]
questions = [r["q"] for p in parts for r in p.get("in_scope", [])]
questions += [q for p in parts for q in p.get("out_of_scope", [])]
random.Random(5).shuffle(questions)
questions = questions[: int(sys.argv[3])]
for q in questions[:20]:
    matcher.match(q)
cpu = []
for q in questions:
    used = time.process_time()
    matcher.match(q)
    cpu.append(time.process_time() - used)
print(json.dumps({"build": built, "first": first, "first_cpu": first_cpu, "cpu": cpu}))
"""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# Every process runs outside this checkout, so another interpreter imports its own coachbot.
def chat(python: str, env: dict[str, str], stdin: str, home: Path) -> tuple[float, float]:
    """Wall seconds until the chat answered `stdin`'s question (or, with none, quit), and its CPU seconds."""
    with tempfile.TemporaryDirectory() as work:
        command = [python, "-m", "coachbot", "chat", "--db", str(Path(work) / "chat.db")]
        cpu = children_cpu()
        started = time.perf_counter()
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True, cwd=work,
                                   env={**env, "COACHBOT_DATA_DIR": str(home)})
        assert process.stdin is not None and process.stdout is not None
        if stdin:
            process.stdin.write(stdin)
            process.stdin.flush()
            while process.stdout.readline().strip() == "":
                if process.poll() is not None:
                    raise RuntimeError(f"{python} chat ended without an answer")
        elapsed = time.perf_counter() - started
        process.communicate("")
        return (elapsed if stdin else time.perf_counter() - started), children_cpu() - cpu


def per_question(python: str, env: dict[str, str], home: Path, count: int) -> dict[str, Any]:
    done = subprocess.run([python, "-c", PER_QUESTION, str(home / "cache"),
                           str(ROOT / "tests" / "data" / "faq_eval.yaml"), str(count)],
                          capture_output=True, text=True, env=env, check=True, cwd=home)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(label: str, python: str, env: dict[str, str], args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as home:
        data = Path(home)
        chat(python, env, QUESTION + "\n", data)  # fills the FAQ index cache
        chats = 0 if args.matcher_only else args.repeat
        prompt = [chat(python, env, "", data) for _ in range(chats)] or [(float("nan"),) * 2]
        first = [chat(python, env, QUESTION + "\n", data) for _ in range(chats)] or [(float("nan"),) * 2]
        runs = [per_question(python, env, data, args.questions) for _ in range(args.repeat)]
    cpu = sorted(t for run in runs for t in run["cpu"])
    p50, p90 = statistics.median(cpu), cpu[int(0.9 * (len(cpu) - 1))]
    wall = [statistics.median(t[0] for t in timed) for timed in (prompt, first)]
    used = [statistics.median(t[1] for t in timed) for timed in (prompt, first)]
    build, question = (statistics.median(run[key] for run in runs) for key in ("build", "first"))
    question_cpu = statistics.median(run.get("first_cpu", float("nan")) for run in runs)
    print(f"{label:44} {wall[0]:9.2f} {used[0]:8.2f} {wall[1]:9.2f} {used[1]:8.2f} "
          f"{build:8.2f} {question:8.2f} {question_cpu:8.2f} {1000 * p50:8.2f} {1000 * p90:8.2f}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--compare", nargs="*", default=[], metavar="PYTHON",
                        help="interpreters of other installations to measure the same way")
    parser.add_argument("--matcher-only", action="store_true", help="skip the chat runs")
    args = parser.parse_args()
    base = {k: v for k, v in os.environ.items() if k != "COACHBOT_FAQ_LEXICAL"}
    print(f"median of {args.repeat} runs; per question: processor time, {args.questions} questions\n")
    print(f"{'':44} {'prompt s':>9} {'cpu s':>8} {'answer s':>9} {'cpu s':>8} {'choose s':>8} "
          f"{'1st q s':>8} {'cpu s':>8} {'p50 ms':>8} {'p90 ms':>8}")
    contenders = [("lexical (COACHBOT_FAQ_LEXICAL=1)", sys.executable, {**base, "COACHBOT_FAQ_LEXICAL": "1"}),
                  ("semantic hybrid", sys.executable, base)]
    contenders += [(f"semantic hybrid, {python}", python, base) for python in args.compare]
    contenders += [(f"lexical, {python}", python, {**base, "COACHBOT_FAQ_LEXICAL": "1"})
                   for python in args.compare]
    for label, python, env in contenders:
        measure(label, python, env, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
