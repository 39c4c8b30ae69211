"""The coachbot command line: run, content check, db upgrade, and the commands of plug-ins.

Installed packages add commands of their own through the `coachbot.commands` entry points
(see coachbot.platform): `coachbot chat` comes from the console package so. What only one
command needs is imported inside it, so `coachbot --help` stays quick.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from coachbot.faq.cli import register as register_faq
from coachbot.platform import command_plugins, configured, installed
from coachbot.settings import (
    Settings,
    SettingsError,
    default_content_dir,
    default_data_dir,
    load_settings,
    sqlite_url,
)


def open_settings(args: argparse.Namespace, schema: bool = True) -> Settings:
    """The settings, with a database that answers (and its schema upgraded, unless told not to).

    `args.db`, when a command has that option, names a SQLite file used instead of the setting.
    """
    from coachbot.store.database import check_database, upgrade

    db = getattr(args, "db", None)
    if db:
        settings = load_settings(database_url=sqlite_url(Path(db).expanduser().resolve()))
    else:
        settings = load_settings()
    check_database(settings.database_url, _database_variable(db))
    if schema:
        upgrade(settings.database_url)
    return settings


def _database_variable(db: str | None) -> str:
    """What to name when the database is unusable: the option, or the setting it came from."""
    if db:
        return f"--db {db}"
    if os.environ.get("COACHBOT_DATABASE_URL"):
        return "COACHBOT_DATABASE_URL"
    return f"COACHBOT_DATA_DIR={default_data_dir()}"


def cmd_run(args: argparse.Namespace) -> int:
    if not configured(os.environ):
        choices = " or ".join(f"{p.variable} ({p.title})" for p in installed())
        what = f"Set {choices} to connect one" if choices else "No platform package is installed"
        print(f"coachbot run: no platform is configured. {what}; see the README.\n"
              "To try the coach right now without any account, run: coachbot chat",
              file=sys.stderr)
        return 1
    from coachbot.runtime import main as run
    from coachbot.store.database import check_sqlite_contents, is_sqlite

    settings = load_settings()
    if is_sqlite(settings.database_url):  # a file that cannot be a database: waiting won't help
        check_sqlite_contents(settings.database_url, _database_variable(None))
    # An unreachable PostgreSQL, a data folder not mounted yet or an unreachable platform are
    # waited for (see runtime.Startup), not errors.
    return run(settings, os.environ)


def cmd_healthcheck(args: argparse.Namespace) -> int:
    """For a container's health check: is the running coachbot on this machine ready?"""
    import urllib.error
    import urllib.request

    url = args.url or f"http://127.0.0.1:{load_settings().http_port}/readyz"
    try:
        with urllib.request.urlopen(url, timeout=args.timeout) as answer:
            print(f"ready ({answer.status})")
            return 0
    except urllib.error.HTTPError as error:
        print(f"not ready ({error.code}): {error.read().decode(errors='replace')[:500]}")
    except (OSError, ValueError) as error:
        print(f"no answer from {url}: {error}")
    return 1


def cmd_content_check(args: argparse.Namespace) -> int:
    from coachbot.authoring.check import check_content, summarise
    from coachbot.content import ContentError, load_content

    root = Path(args.path) if args.path else default_content_dir()
    try:
        content = load_content(root)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found.", file=sys.stderr)
        return 1
    result = check_content(content, Path(args.sources) if args.sources else None)
    for problem in result.problems:
        print(problem, file=sys.stderr)
    summary = summarise(content)
    print(f"{summary.tracks} tracks, {summary.lessons} lessons, {summary.faq} FAQ entries.")
    for skipped in result.skipped:
        print(f"Not checked: {skipped}.")
    if result.problems:
        print(f"{len(result.problems)} problem(s) found.", file=sys.stderr)
        return 1
    print("Content OK in every check that ran." if result.skipped else "Content OK.")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from coachbot.groups.export import export_reports

    if not args.all and not args.group:
        print("coachbot report: name a group with --group ID, or use --all with --csv FILE.",
              file=sys.stderr)
        return 2
    if args.png and not args.group:
        print("coachbot report --png FILE needs --group ID: the chart is one group's.", file=sys.stderr)
        return 2
    if args.all and not args.csv:
        print("coachbot report --all needs --csv FILE.", file=sys.stderr)
        return 2
    settings = open_settings(args)
    return asyncio.run(export_reports(settings, args.group, args.csv, sys.stdout, args.png))


def cmd_content_insights(args: argparse.Namespace) -> int:
    from coachbot.content import load_content
    from coachbot.groups.insights import print_insights

    settings = open_settings(args)
    content = load_content(default_content_dir())
    return asyncio.run(print_insights(settings, content, args.group, sys.stdout))


def cmd_deliveries(args: argparse.Namespace) -> int:
    from coachbot.delivery.report import delivery_report
    from coachbot.store.database import make_engine, make_sessionmaker

    settings = open_settings(args)

    async def show() -> None:
        engine = make_engine(settings.database_url)
        try:
            print(await delivery_report(make_sessionmaker(engine), args.limit))
        finally:
            await engine.dispose()

    asyncio.run(show())
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    open_settings(args)
    print("Database is up to date.")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="coachbot", description="A chat coach for social engagement.")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="serve the configured platforms and the daily scheduler")
    run.set_defaults(func=cmd_run)

    health = sub.add_parser("healthcheck", help="exit 0 if the coachbot running here is ready")
    health.add_argument("--url", help="readiness URL (default: http://127.0.0.1:$COACHBOT_HTTP_PORT/readyz)")
    health.add_argument("--timeout", type=float, default=5, help="seconds to wait for an answer")
    health.set_defaults(func=cmd_healthcheck)

    content = sub.add_parser("content", help="work with the curriculum")
    content_sub = content.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = content_sub.add_parser("check", help="validate lessons and FAQ")
    check.add_argument("path", nargs="?", help="content folder (default: the bundled one)")
    check.add_argument("--sources", metavar="DIR",
                       help="folder of source documents (*.txt) that no lesson may copy from")
    check.set_defaults(func=cmd_content_check)
    insights = content_sub.add_parser(
        "insights", help="check-in answers by lesson (most missed first) and what the FAQ missed")
    insights.add_argument("--group", metavar="ID", help="only this group's members (default: everyone)")
    insights.add_argument("--db", metavar="PATH", help="SQLite database file")
    insights.set_defaults(func=cmd_content_insights)

    report = sub.add_parser("report", help="how a group is doing, as text or CSV")
    which = report.add_mutually_exclusive_group()
    which.add_argument("--group", metavar="ID", help="the group's chat id (as in chat --group)")
    which.add_argument("--all", action="store_true", help="every group (with --csv)")
    report.add_argument("--csv", metavar="FILE", help="write the figures as CSV (UTF-8)")
    report.add_argument("--png", metavar="FILE", help="write the group's chart as a PNG image")
    report.add_argument("--db", metavar="PATH", help="SQLite database file")
    report.set_defaults(func=cmd_report)

    deliveries = sub.add_parser("deliveries", help="scheduled messages: counts and latest failures")
    deliveries.add_argument("--db", metavar="PATH", help="SQLite database file")
    deliveries.add_argument("--limit", type=int, default=10, metavar="N",
                            help="how many recent failures to list (default 10)")
    deliveries.set_defaults(func=cmd_deliveries)

    register_faq(sub)
    for register in command_plugins():
        register(sub)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    up = db_sub.add_parser("upgrade", help="create or migrate the schema")
    up.add_argument("--db", metavar="PATH", help="SQLite database file")
    up.set_defaults(func=cmd_db_upgrade)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SettingsError as exc:  # a plug-in that cannot be loaded
        print(f"coachbot: {exc}", file=sys.stderr)
        return 2
    from coachbot.content import ContentError

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
