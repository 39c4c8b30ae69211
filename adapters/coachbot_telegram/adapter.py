"""The Telegram adapter: python-telegram-bot inside the process's own event loop."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from coachbot.bootstrap import App
from coachbot.conversation.commands import ALIASES, ALL_COMMANDS
from coachbot.delivery.ports import TransientError
from coachbot.logguard import guard_logs
from coachbot.platform import Route
from coachbot.settings import SettingsError
from coachbot.store.inbound import InboundLedger
from coachbot_telegram.admins import AdminCache
from coachbot_telegram.chatevents import ChatEvents
from coachbot_telegram.complete import set_aside_incomplete
from coachbot_telegram.config import TelegramConfig
from coachbot_telegram.errors import try_later
from coachbot_telegram.inbound import Context, Inbound
from coachbot_telegram.menu import register_commands
from coachbot_telegram.messenger import PLATFORM, TelegramMessenger
from coachbot_telegram.processing import PerPersonProcessor
from coachbot_telegram.reading import ReadableUpdates, read_update
from coachbot_telegram.replies import Replier

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
POLL_TIMEOUT = timedelta(seconds=25)
TelegramApplication = Application[Any, Any, Any, Any, Any, Any]


def quiet_request_log() -> None:
    """httpx logs every request URL at INFO, and Bot API URLs carry the bot token."""
    requests = logging.getLogger("httpx")
    if requests.level == logging.NOTSET:
        requests.setLevel(logging.WARNING)


def build_application(config: TelegramConfig,
                      processor: PerPersonProcessor | None = None) -> TelegramApplication:
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder().token(config.token).base_url(config.api_base_url)
        .job_queue(None)  # the core's scheduler owns time
        .get_updates_request(ReadableUpdates())
        .concurrent_updates(processor or PerPersonProcessor()))
    if config.webhook_url:
        builder = builder.updater(None)  # updates arrive on the shared HTTP server instead
    application: TelegramApplication = builder.build()
    return application


class TelegramAdapter:
    """Long polling by default; a webhook on the shared HTTP server when TELEGRAM_WEBHOOK_URL is set."""

    platform = PLATFORM

    def __init__(self, app: App, config: TelegramConfig) -> None:
        self.config = config
        guard_logs([config.token, config.webhook_secret], config.log_messages)
        ledger = InboundLedger(app.sessions, app.clock, PLATFORM)
        self.application = build_application(config, PerPersonProcessor(ledger, config.bot_id))
        bot = self.application.bot
        events = app.facts
        self.messenger = TelegramMessenger(bot)
        self.admins = AdminCache(bot)
        replier = Replier(bot, app.throttles, events)
        self.inbound = Inbound(app.coach, events, bot, replier, self.admins)
        self.chat_events = ChatEvents(events, bot, replier, self.admins)
        self._accepting = False
        self._add_handlers()

    def _add_handlers(self) -> None:
        only_new = filters.UpdateType.MESSAGE  # edits of old messages are not new requests
        add = self.application.add_handler
        add(TypeHandler(Update, set_aside_incomplete), group=-1)
        add(ChatMemberHandler(self.chat_events.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
        add(MessageHandler(filters.StatusUpdate.MIGRATE, self.chat_events.on_migrate))
        add(CommandHandler([*ALL_COMMANDS, *ALIASES], self.inbound.on_command, filters=only_new))
        add(CallbackQueryHandler(self.inbound.on_callback))
        add(MessageHandler(only_new & ~filters.StatusUpdate.ALL, self.inbound.on_message))
        self.application.add_error_handler(self._on_error)

    @property
    def webhook(self) -> bool:
        return self.config.webhook_url is not None

    def routes(self) -> list[Route]:
        return [Route("POST", self.config.webhook_path, self.receive)] if self.webhook else []

    async def start(self) -> None:
        application = self.application
        quiet_request_log()
        try:
            await application.initialize()
        except InvalidToken as error:
            raise SettingsError("TELEGRAM_BOT_TOKEN: Telegram refused the token; copy it again from "
                                "BotFather (/mybots, API Token)") from error
        except (NetworkError, RetryAfter) as error:
            where = f"the Bot API at TELEGRAM_API_BASE_URL={self.config.api_base_url}"
            if try_later(error):  # a 5xx or a flood wait: Telegram will answer later
                raise TransientError(f"{where} answered: {error}") from error
            raise SettingsError(f"could not reach {where} ({error})") from error
        await register_commands(application.bot)
        if self.config.webhook_url:
            await self._set_webhook(self.config.webhook_url)
        await application.start()
        if application.updater is not None:
            await application.updater.start_polling(timeout=POLL_TIMEOUT, allowed_updates=Update.ALL_TYPES)
        self._accepting = True
        log.info("telegram: @%s is %s", application.bot.username,
                 "on a webhook" if self.webhook else "polling")

    async def _set_webhook(self, url: str) -> None:
        try:
            await self.application.bot.set_webhook(url, secret_token=self.config.webhook_secret,
                                                   allowed_updates=Update.ALL_TYPES)
        except BadRequest as error:
            raise SettingsError(f"TELEGRAM_WEBHOOK_URL={url}: Telegram refused it ({error})") from error
        except TelegramError as error:
            if try_later(error):
                raise TransientError(f"setting the webhook: Telegram answered: {error}") from error
            raise

    async def connection_problem(self) -> str | None:
        """Whether Telegram still answers this bot (a getMe, as cheap as a call gets)."""
        try:
            await self.application.bot.get_me(connect_timeout=2, read_timeout=2)
        except TelegramError as error:
            return f"telegram does not answer ({type(error).__name__}: {error})"
        return None

    async def stop(self) -> None:
        """No new updates; finish those already taken; then close the bot's connections."""
        self._accepting = False
        application = self.application
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        await application.bot.shutdown()  # also after a failed start, which left it half open

    async def receive(self, request: web.Request) -> web.Response:
        """The webhook: Telegram posts each update here with the secret in a header."""
        sent = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(sent.encode(), self.config.webhook_secret.encode()):
            log.warning("telegram webhook: refused a request without the right secret (from %s)",
                        request.remote)
            return web.Response(status=403, text="forbidden")
        if not self._accepting:  # starting or stopping: Telegram keeps the update and tries again
            return web.Response(status=503, text="not ready")
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:  # aiohttp's limit: 1 MB
            log.warning("telegram webhook: refused a body larger than 1 MB")
            return web.Response(status=413, text="too large")
        update = read_update(raw, self.application.bot)
        if update is None:
            return web.Response(status=400, text="not a Telegram update")
        await self.application.update_queue.put(update)
        return web.Response(text="ok")

    async def _on_error(self, update: object, context: Context) -> None:
        error = context.error
        level = logging.WARNING if isinstance(error, TelegramError) else logging.ERROR
        log.log(level, "telegram update %s failed", getattr(update, "update_id", "?"), exc_info=error)


def create_adapter(app: App, env: Mapping[str, str]) -> TelegramAdapter:
    return TelegramAdapter(app, TelegramConfig.from_env(env))
