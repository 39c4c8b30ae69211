"""Platforms as plug-ins: what an adapter package tells the core, and how the core finds it.

A platform package publishes a `PlatformProfile` under the entry-point group
`coachbot.platforms` (in its pyproject.toml: `[project.entry-points."coachbot.platforms"]`,
`discord = "coachbot_discord.profile:PROFILE"`). The profile module must import without the
platform's own library, so that `content check` and `coachbot run` can read every installed
profile, and name the extra to install when the library is missing. The adapter itself is
imported only when its setting is present.

A package may also add commands to the command line under `coachbot.commands`: a function
that receives the top-level sub-parsers (`coachbot chat` comes from the console package so).
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any, Protocol

from coachbot.settings import SettingsError

if TYPE_CHECKING:
    from coachbot.bootstrap import App
    from coachbot.delivery.limits import PlatformLimits
    from coachbot.delivery.ports import Messenger

PLATFORMS_GROUP = "coachbot.platforms"
COMMANDS_GROUP = "coachbot.commands"

# An aiohttp request handler; typed loosely so the core does not import aiohttp.
Handler = Callable[[Any], Awaitable[Any]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler


class PlatformAdapter(Protocol):
    """A transport: receives platform events, sends through its messenger."""

    platform: str
    messenger: Messenger

    def routes(self) -> list[Route]:
        """HTTP routes this adapter needs on the shared server (may be empty)."""
        ...

    async def start(self) -> None: ...

    async def connection_problem(self) -> str | None:
        """Once started: None while the platform answers, else what is wrong (for `/readyz`)."""
        ...

    async def stop(self) -> None: ...


class AdapterFactory(Protocol):
    def __call__(self, app: App, env: Mapping[str, str]) -> PlatformAdapter: ...


@dataclass(frozen=True)
class PlatformProfile:
    """A platform as the core knows it before its library is imported."""

    name: str  # as stored with every learner and message: "telegram"
    title: str  # as people call it: "Telegram"
    variable: str  # the setting that turns it on in `coachbot run`: "TELEGRAM_BOT_TOKEN"
    adapter: str  # "module:function" building its PlatformAdapter, imported only when turned on
    extra: str | None = None  # pip install 'coachbot[<extra>]' brings its library
    limits: PlatformLimits | None = None  # its rate limits; None: no pacing of its own
    largest_message: int | None = None  # the most one message may hold, as `measure` counts
    measure: Callable[[str], int] = len  # how long a text is as the platform renders and counts it
    unit: str = "characters"  # what `measure` counts, for `content check`'s lines
    command_prefix: str | None = None  # a slash command of its own that carries ours: "/coach"

    def load(self) -> AdapterFactory:
        """The adapter's factory; an import that fails says what to install."""
        module_name, _, attribute = self.adapter.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            install = f"pip install 'coachbot[{self.extra}]'" if self.extra else "reinstall it"
            raise SettingsError(f"{self.variable} is set, but the {self.name} support is not installed: "
                                f"{install} ({exc})") from exc
        factory: AdapterFactory = getattr(module, attribute)
        return factory


def _load(point: EntryPoint, kind: type[Any] | None = None) -> Any:
    """What an entry point names; one that cannot be loaded names its package."""
    where = f"{point.dist.name} {point.dist.version}" if point.dist else "an unknown package"
    try:
        found = point.load()
    except Exception as exc:
        raise SettingsError(f"the plug-in '{point.name}' ({point.value}, from {where}) in "
                            f"{point.group} cannot be loaded: {type(exc).__name__}: {exc}") from exc
    if kind is not None and not isinstance(found, kind):
        raise SettingsError(f"the plug-in '{point.name}' ({point.value}, from {where}) in {point.group} "
                            f"is a {type(found).__name__}, not a {kind.__name__}")
    return found


@cache
def installed() -> tuple[PlatformProfile, ...]:
    """Every installed platform's profile, by name (a name installed twice counts once)."""
    profiles: dict[str, PlatformProfile] = {}
    for point in entry_points(group=PLATFORMS_GROUP):
        profile: PlatformProfile = _load(point, PlatformProfile)
        if profile.name != point.name:
            raise SettingsError(f"the plug-in '{point.name}' ({point.value}) in {PLATFORMS_GROUP} "
                                f"describes a platform named '{profile.name}': the names must match")
        profiles.setdefault(profile.name, profile)
    return tuple(profiles[name] for name in sorted(profiles))


def configured(env: Mapping[str, str]) -> list[PlatformProfile]:
    """The installed platforms whose setting is present."""
    return [profile for profile in installed() if env.get(profile.variable)]


def platform_limits() -> dict[str, PlatformLimits]:
    """The rate limits each installed platform declares."""
    return {profile.name: profile.limits for profile in installed() if profile.limits is not None}


def command_prefixes() -> tuple[str, ...]:
    """The slash commands of their own that platforms put in front of ours (Slack's /coach)."""
    return tuple(profile.command_prefix for profile in installed() if profile.command_prefix)


def command_plugins() -> list[Callable[[Any], None]]:
    """The functions that add installed packages' commands to the command line."""
    return [_load(point) for point in entry_points(group=COMMANDS_GROUP)]


def lazy_exports(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A package's module `__getattr__` that imports each exported name from its module when
    first used, so importing the package (for its profile) does not import the platform library."""
    def attribute(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{homes[name]}"), name)
    return attribute
