"""The Slack adapter: a Bolt AsyncApp on the process's event loop, over HTTP or Socket Mode."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from coachbot.bootstrap import App
from coachbot.delivery.ports import TransientError
from coachbot.logguard import guard_logs
from coachbot.platform import Route
from coachbot.settings import SettingsError
from coachbot.store.inbound import InboundLedger
from coachbot_slack.background import Background
from coachbot_slack.client import build_client
from coachbot_slack.config import SlackConfig
from coachbot_slack.errors import slack_error, try_later
from coachbot_slack.gate import RequestGate
from coachbot_slack.home import HomeTab
from coachbot_slack.listeners import Listeners
from coachbot_slack.messenger import PLATFORM, SlackMessenger
from coachbot_slack.people import People
from coachbot_slack.redelivery import DropRetries
from coachbot_slack.turns import SlackTurns

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
DRAIN_SECONDS = 10.0


class SlackAdapter:
    platform = PLATFORM

    def __init__(self, app: App, config: SlackConfig, client: AsyncWebClient | None = None) -> None:
        self.config = config
        guard_logs([config.bot_token, config.signing_secret, config.app_token], config.log_messages)
        self.client = client or build_client(config.bot_token, config.api_url)
        self.messenger = SlackMessenger(self.client)
        self.ledger = InboundLedger(app.sessions, app.clock, PLATFORM)
        self.gate = RequestGate(config.signing_secret) if config.signing_secret else None
        self.background = Background()
        self.turns = SlackTurns(app.coach, self.messenger, app.throttles, People(self.client), self.ledger,
                         HomeTab(app, self.client), app.facts)
        self.listeners = Listeners(self.turns, self.background)
        self.bolt = self.build_bolt()
        self.bot_user_id = ""
        self._socket: AsyncSocketModeHandler | None = None

    def build_bolt(self) -> AsyncApp:
        # Each listener only acks and hands work over, so running it before answering costs
        # nothing and means the work is always under way (and tracked) once Slack has its ack.
        # The gate checks every HTTP request's signature before Bolt sees it (Bolt would parse
        # the body first); Socket Mode needs no signature.
        bolt = AsyncApp(client=self.client, signing_secret=self.config.signing_secret,
                        request_verification_enabled=False, process_before_response=True,
                        name="coachbot")
        bolt.use(DropRetries(self.ledger))
        self.listeners.register(bolt)
        return bolt

    def routes(self) -> list[Route]:
        """Events, slash commands and interactivity share one path (HTTP mode only)."""
        return [] if self.config.socket_mode else [Route("POST", EVENTS_PATH, self.handle_http)]

    async def handle_http(self, request: web.Request) -> web.Response:
        if self.background.closed:  # shutting down: unanswered, Slack retries it with the next process
            return web.Response(status=503, text="shutting down")
        assert self.gate is not None  # HTTP mode always has a signing secret
        checked = await self.gate.open(request)
        if isinstance(checked, web.Response):
            return checked
        return await to_aiohttp_response(await self.bolt.async_dispatch(checked))

    async def start(self) -> None:
        try:
            identity = await self.client.auth_test()
        except SlackApiError as error:
            if try_later(error):  # a 5xx or a 429: Slack will answer later
                raise TransientError(f"Slack answered auth.test with {slack_error(error)}") from error
            raise SettingsError(f"SLACK_BOT_TOKEN: Slack refused the token ({slack_error(error)})") from error
        self.bot_user_id = str(identity.get("user_id", ""))
        log.info("Slack: signed in as %s in %s (%s mode)", identity.get("user"), identity.get("team"),
                 "Socket" if self.config.socket_mode else "HTTP")
        if self.config.socket_mode:
            self._socket = AsyncSocketModeHandler(self.bolt, self.config.app_token,
                                                  web_client=self.client)
            await self._socket.connect_async()  # type: ignore[no-untyped-call]

    async def connection_problem(self) -> str | None:
        """Whether Slack still answers this token, and (Socket Mode) the socket is up."""
        try:
            await self.client.auth_test()
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            return f"slack does not answer ({type(error).__name__}: {error})"
        if self._socket is not None and not await self._socket.client.is_connected():
            return "Slack's Socket Mode connection is down (reconnecting)"
        return None

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        await self.background.close(DRAIN_SECONDS)

    async def idle(self) -> None:
        """Wait until every acknowledged request has been handled."""
        await self.background.idle()


def create_adapter(app: App, env: Mapping[str, str]) -> SlackAdapter:
    return SlackAdapter(app, SlackConfig.from_env(env))
