"""Replay generated lines through `coachbot chat` and count turns handled, crashed and hung.

Each line is typed into a real `coachbot chat` process on a pseudo-terminal (raw mode, so
control bytes reach the program as typed); a turn has ended when the chat prints its prompt
again. A process that exits mid-turn is a crash (it is restarted on the same database and the
replay goes on); a turn with no prompt within the time limit is a hang.

    python benchmarks/fuzz_chat.py [--lines 2000] [--seed 7] [--postgres URL]

With --postgres the same lines are replayed on that database too (it is migrated first).
"""

from __future__ import annotations

import argparse
import os
import pty
import random
import select
import subprocess
import sys
import tempfile
import time
import tty
from dataclasses import dataclass
from pathlib import Path

PROMPT = b"you> "
TURN_SECONDS = 20.0
WORDS = ["start", "next", "done", "today", "progress", "tracks", "track", "tz", "time", "pause",
         "resume", "stop", "forget", "yes", "no", "help", "push", "schedule", "report", "digest",
         "skip", "wait", "Europe", "America", "US", "Etc", "Europe/Berlin", "09:00", "25:99", "ok",
         "1", "2", "9", "²", "①", "٣", "how do I post?", "what is a streak", "lol", "/start", "/coach"]
ODD = ["\x00", "\ud800", "\udfff", "\u202e", "\ufeff", "🙂", "مرحبا", "\x1b[31m", "\x07", "\t",
       "'; DROP TABLE learners; --", "=HYPERLINK(\"x\")", "%s%n", "{{7*7}}", "../../etc/passwd"]


def generate(count: int, seed: int) -> list[bytes]:
    """Lines a person (or a cat on the keyboard) could type, as the bytes a terminal sends."""
    rng = random.Random(seed)
    lines: list[bytes] = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.45:
            text = " ".join(rng.choice(WORDS + ODD) for _ in range(rng.randint(1, 4)))
            lines.append(text.encode("utf-8", "surrogatepass"))
        elif kind < 0.7:
            text = "".join(chr(rng.randint(1, 0x10FFFF)) for _ in range(rng.randint(1, 40)))
            lines.append(text.encode("utf-8", "surrogatepass"))
        elif kind < 0.85:
            lines.append(bytes(rng.randint(0, 255) for _ in range(rng.randint(1, 60))))
        elif kind < 0.95:
            lines.append((rng.choice(WORDS) + " " + "x" * rng.randint(500, 6000)).encode())
        else:
            lines.append(rng.choice(["9" * 5000, "tz " + "Europe/" * 60, "wait 1d", "wait what"]).encode())
    return [line.replace(b"\n", b" ").replace(b"\r", b" ") for line in lines]


@dataclass
class Tally:
    handled: int = 0
    crashed: int = 0
    hung: int = 0


class Chat:
    """One `coachbot chat` process on a pseudo-terminal."""

    def __init__(self, env: dict[str, str], args: list[str]) -> None:
        self.master, slave = pty.openpty()
        tty.setraw(slave)
        self.process = subprocess.Popen([sys.executable, "-m", "coachbot", "chat", *args], stdin=slave,
                                        stdout=slave, stderr=subprocess.PIPE, env=env, close_fds=True)
        os.close(slave)
        self.ready = self.until_prompt(120.0)

    def until_prompt(self, seconds: float) -> bool:
        buffer, deadline = b"", time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    return False
                buffer = (buffer + chunk)[-4096:]
                if buffer.endswith(PROMPT):
                    return True
            elif self.process.poll() is not None:
                return False
        return False

    def type(self, line: bytes) -> str:
        os.write(self.master, line + b"\n")
        if self.until_prompt(TURN_SECONDS):
            return "handled"
        return "crashed" if self.process.poll() is not None else "hung"

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        os.close(self.master)


def replay(lines: list[bytes], env: dict[str, str], args: list[str]) -> tuple[Tally, float]:
    tally, started = Tally(), time.perf_counter()
    chat = Chat(env, args)
    if not chat.ready:
        raise SystemExit(f"coachbot chat did not start: {chat.process.stderr.read().decode()[-2000:]}"
                         if chat.process.stderr else "coachbot chat did not start")
    for line in lines:
        outcome = chat.type(line)
        setattr(tally, outcome, getattr(tally, outcome) + 1)
        if outcome != "handled":
            print(f"  {outcome} on {line[:60]!r}", file=sys.stderr)
            chat.close()
            chat = Chat(env, args)
    chat.close()
    return tally, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres", metavar="URL", help="also replay on this PostgreSQL database")
    options = parser.parse_args()
    lines = generate(options.lines, options.seed)
    base = {**os.environ, "COACHBOT_FAQ_LEXICAL": os.environ.get("COACHBOT_FAQ_LEXICAL", "1"),
            "TERM": "dumb"}
    base.pop("COACHBOT_DATABASE_URL", None)
    runs: list[tuple[str, dict[str, str], list[str]]] = []
    with tempfile.TemporaryDirectory() as folder:
        runs.append(("sqlite", base, ["--db", str(Path(folder) / "fuzz.db"), "--user", "fuzz"]))
        if options.postgres:
            runs.append(("postgres", {**base, "COACHBOT_DATABASE_URL": options.postgres}, ["--user", "fuzz"]))
        print(f"{len(lines)} generated lines (seed {options.seed}), one `coachbot chat` per database")
        print(f"{'database':<10} {'handled':>8} {'crashed':>8} {'hung':>6} {'seconds':>8}")
        for name, env, args in runs:
            tally, seconds = replay(lines, env, args)
            print(f"{name:<10} {tally.handled:>8} {tally.crashed:>8} {tally.hung:>6} {seconds:>8.1f}")


if __name__ == "__main__":
    main()
