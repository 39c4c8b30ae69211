"""The coachbot command line: chat, run, content check, db upgrade."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from coachbot.content import ContentError, load_content
from coachbot.content.check import check_content, summarise
from coachbot.settings import Settings, SettingsError, default_content_dir, sqlite_url
from coachbot.store.database import upgrade


def _settings(args: argparse.Namespace) -> Settings:
    db = getattr(args, "db", None)
    return Settings(database_url=sqlite_url(Path(db).expanduser().resolve())) if db else Settings()


def cmd_chat(args: argparse.Namespace) -> int:
    from coachbot_console import ConsoleChat

    from coachbot.bootstrap import build

    settings = _settings(args)
    upgrade(settings.database_url)
    app = build(settings)

    async def chat() -> None:
        try:
            await ConsoleChat(app.coach, args.user).run()
        finally:
            await app.close()

    asyncio.run(chat())
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    platforms = [name for name in ("TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN") if os.environ.get(name)]
    if not platforms:
        print("coachbot run: no platform is configured. Set TELEGRAM_BOT_TOKEN (Telegram) or "
              "SLACK_BOT_TOKEN (Slack) to connect one; see the README.\n"
              "To try the coach right now without any account, run: coachbot chat",
              file=sys.stderr)
        return 1
    print(f"coachbot run: {', '.join(platforms)} set, but this build has no adapter for it yet. "
          "Use coachbot chat for now.", file=sys.stderr)
    return 1


def _default_shared(name: str) -> Path | None:
    """The design's shared folder beside a source checkout, when it is there."""
    candidate = Path(__file__).resolve().parent.parent.parent / "shared" / name
    return candidate if candidate.exists() else None


def cmd_content_check(args: argparse.Namespace) -> int:
    root = Path(args.path) if args.path else default_content_dir()
    try:
        content = load_content(root)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found.", file=sys.stderr)
        return 1
    topics = Path(args.topics) if args.topics else _default_shared("faq-topics.yaml")
    seeds = Path(args.seeds) if args.seeds else _default_shared("seeds")
    problems = check_content(content, topics, seeds)
    for problem in problems:
        print(problem, file=sys.stderr)
    summary = summarise(content)
    print(f"{summary.tracks} tracks, {summary.lessons} lessons, {summary.faq} FAQ entries.")
    if problems:
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    print("Content OK.")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    settings = _settings(args)
    upgrade(settings.database_url)
    print("Database is up to date.")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="coachbot", description="A chat coach for social engagement.")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    chat = sub.add_parser("chat", help="chat with the coach in this terminal")
    chat.add_argument("--db", metavar="PATH", help="SQLite database file (default: the data dir)")
    chat.add_argument("--user", default=os.environ.get("USER") or "me", help="learner name")
    chat.set_defaults(func=cmd_chat)

    run = sub.add_parser("run", help="serve the configured platforms and the daily scheduler")
    run.set_defaults(func=cmd_run)

    content = sub.add_parser("content", help="work with the curriculum")
    content_sub = content.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = content_sub.add_parser("check", help="validate lessons and FAQ")
    check.add_argument("path", nargs="?", help="content folder (default: the bundled one)")
    check.add_argument("--topics", help="required FAQ topics file (faq-topics.yaml)")
    check.add_argument("--seeds", help="folder of source documents that must not be copied")
    check.set_defaults(func=cmd_content_check)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    up = db_sub.add_parser("upgrade", help="create or migrate the schema")
    up.add_argument("--db", metavar="PATH", help="SQLite database file")
    up.set_defaults(func=cmd_db_upgrade)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except SettingsError as exc:
        print(f"coachbot: {exc}", file=sys.stderr)
        return 2
    except ContentError as exc:
        print(f"coachbot: the content has problems:\n{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code
