"""`coachbot faq match` (one JSON line per question) and `coachbot faq misses` (the miss log)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coachbot.settings import default_content_dir, default_data_dir, load_settings, sqlite_url

if TYPE_CHECKING:
    from coachbot.store.repository import MissSummary


def register(commands: Any) -> None:
    """Add the `faq` command group to the top-level sub-parsers."""
    faq = commands.add_parser("faq", help="answer free-text questions from the FAQ; see what it missed")
    actions = faq.add_subparsers(dest="action", required=True, metavar="ACTION")
    match = actions.add_parser(
        "match", help="read one question per line on stdin, write one JSON object per line",
        description='Writes {"question": ..., "id": <faq id> or null, "score": <float>} per input '
                    "line; null means the bot would fall back. When the bot would ask between close "
                    "topics, id is the first topic it offers.")
    match.add_argument("--faq", type=Path, metavar="PATH",
                       help="FAQ file (default: the bundled content/faq.yaml)")
    match.set_defaults(func=cmd_match)
    misses = actions.add_parser("misses", help="questions that got the fallback, most frequent first")
    misses.add_argument("--db", metavar="PATH", help="SQLite database file (default: the data dir)")
    misses.add_argument("--limit", type=int, default=50, help="how many to list (default 50)")
    misses.set_defaults(func=cmd_misses)


def cmd_match(args: argparse.Namespace) -> int:
    from coachbot.content.loader import load_faq
    from coachbot.faq.choose import choose_matcher
    from coachbot.faq.quality import reported_id

    path: Path = args.faq or default_content_dir() / "faq.yaml"
    if not path.is_file():
        print(f"coachbot faq match: no FAQ file at {path}", file=sys.stderr)
        return 2
    entries, _sources, problems = load_faq(path)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 2
    matcher = choose_matcher(entries, default_data_dir() / "cache")
    for line in sys.stdin:
        question = line.rstrip("\r\n")
        found = matcher.match(question)
        row = {"question": question, "id": reported_id(found), "score": round(float(found.score), 4)}
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return 0


def cmd_misses(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError

    database = Path(args.db).expanduser().resolve() if args.db else None
    settings = load_settings(database_url=sqlite_url(database)) if database else load_settings()
    try:
        rows = asyncio.run(_misses(settings.database_url, max(1, args.limit)))
    except DBAPIError as exc:
        print(f"coachbot faq misses: cannot read the miss log ({exc.orig}). "
              "Run coachbot db upgrade first?", file=sys.stderr)
        return 1
    if not rows:
        print("No unanswered questions logged yet.")
        return 0
    print(f"{'count':>5}  {'last asked (UTC)':<16}  question")
    for row in rows:
        print(f"{row.count:>5}  {row.last_asked:%Y-%m-%d %H:%M}  {' '.join(row.question.split())}")
    return 0


async def _misses(url: str, limit: int) -> list[MissSummary]:
    from coachbot.store.database import make_engine, make_sessionmaker
    from coachbot.store.repository import Repository

    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            return await Repository(session).faq_misses(limit)
    finally:
        await engine.dispose()
