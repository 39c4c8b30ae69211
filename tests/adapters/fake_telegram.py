"""A local fake of the Telegram Bot API: a real HTTP server on 127.0.0.1 that the real
python-telegram-bot `Bot` talks to through `base_url`.

It answers the methods the adapter uses, records every call, feeds scripted updates to long
polling, keeps the messages the bot sent (so buttons can be pressed and edits seen), checks
what Telegram checks (text length, HTML, callback data size, a private chat must exist), and
answers 403 / 429 / 400 on demand.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

TOKEN = "7000001:TEST-token_for_the-fake"
BOT_ID = 7000001
BOT_USERNAME = "coach_test_bot"
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Coach", "username": BOT_USERNAME,
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False}
ADMIN_RIGHTS = dict.fromkeys(
    ("can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
     "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
     "can_post_stories", "can_edit_stories", "can_delete_stories"), False)
HTML_TAGS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
             "s": "strikethrough", "code": "code", "pre": "pre", "a": "text_link"}
Json = dict[str, Any]
HOLD_LIMIT = 4.0  # seconds; below python-telegram-bot's 5 s read timeout


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: Json | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


@dataclass
class Call:
    method: str
    params: Json
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)  # when it arrived

    @property
    def chat_id(self) -> int | None:
        raw = self.params.get("chat_id")
        return int(raw) if raw is not None else None


@dataclass
class Failure:
    method: str
    chat_id: int | None
    status: int
    description: str
    parameters: Json | None
    times: int


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _Html(HTMLParser):
    """Telegram's HTML: the text without tags, and entities with UTF-16 offsets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.entities: list[Json] = []
        self._open: list[tuple[str, int, Json]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: Unsupported start tag \"{tag}\"")
        entity: Json = {"type": HTML_TAGS[tag]}
        if tag == "a":
            entity["url"] = dict(attrs).get("href") or ""
        self._open.append((tag, utf16(self.text), entity))

    def handle_endtag(self, tag: str) -> None:
        if not self._open or self._open[-1][0] != tag:
            raise ApiError(400, f"Bad Request: can't parse entities: Unmatched end tag \"{tag}\"")
        _, start, entity = self._open.pop()
        self.entities.append({**entity, "offset": start, "length": utf16(self.text) - start})

    def handle_data(self, data: str) -> None:
        self.text += data


def parse_html(source: str) -> tuple[str, list[Json]]:
    parser = _Html()
    parser.feed(source)
    parser.close()
    if parser._open:
        raise ApiError(400, "Bad Request: can't parse entities: Can't find end tag")
    return parser.text, sorted(parser.entities, key=lambda e: e["offset"])


def _value(raw: str) -> Any:
    """PTB sends form fields; objects and lists arrive as JSON text."""
    if raw[:1] in "{[":
        return json.loads(raw)
    return raw


class FakeBotApi:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.updates: list[Json] = []
        self.fed: list[Json] = []  # every update ever fed, for tests to count
        self.messages: dict[tuple[int, int], Json] = {}
        self.members: dict[tuple[int, int], str] = {}
        self.started: set[int] = set()  # people who opened a private chat with the bot
        self.webhook: Json = {}
        self.failures: list[Failure] = []
        self.holds: dict[int, tuple[int, asyncio.Event]] = {}  # chat -> (waits for chat, released)
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._arrived = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # -- server ----------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}/bot"
        return self.base_url

    async def stop(self) -> None:
        self._closing = True
        self._arrived.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"},
                                     status=401)
        params, files = await self._read(request)
        call = Call(method, params, files)
        self.calls.append(call)
        try:
            self._scripted(call)
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = await handler(call)
        except ApiError as error:
            body: Json = {"ok": False, "error_code": error.status, "description": error.description}
            if error.parameters:
                body["parameters"] = error.parameters
            return web.json_response(body, status=error.status)
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    async def _read(request: web.Request) -> tuple[Json, dict[str, bytes]]:
        params: Json = {}
        files: dict[str, bytes] = {}
        if request.content_type == "application/json":
            return dict(await request.json()), files
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = value.file.read()
            else:
                params[key] = _value(str(value))
        return params, files

    def _scripted(self, call: Call) -> None:
        for failure in self.failures:
            if failure.method == call.method and failure.times > 0 and (
                    failure.chat_id is None or failure.chat_id == call.chat_id):
                failure.times -= 1
                raise ApiError(failure.status, failure.description, failure.parameters)

    # -- what tests script -----------------------------------------------------------------

    def fail(self, method: str, status: int, description: str, *, chat_id: int | None = None,
             parameters: Json | None = None, times: int = 1) -> None:
        self.failures.append(Failure(method, chat_id, status, description, parameters, times))

    def hold(self, chat_id: int, until_sent_to: int) -> None:
        """Answer a send to `chat_id` only after something was sent to `until_sent_to`."""
        self.holds[chat_id] = (until_sent_to, asyncio.Event())

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        self.members[(chat_id, user_id)] = status

    def feed(self, update: Json) -> int:
        self.updates.append(update)
        self.fed.append(update)
        self._arrived.set()
        return int(update["update_id"])

    def new_update(self, **body: Any) -> Json:
        return {"update_id": next(self._update_ids), **body}

    def message_update(self, user: Json, chat: Json, text: str, reply_to: Json | None = None,
                       **extra: Any) -> Json:
        message: Json = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
                         "from": user, "text": text, **extra}
        entities = []
        if text.startswith("/"):
            entities.append({"type": "bot_command", "offset": 0, "length": utf16(text.split()[0])})
        if f"@{BOT_USERNAME}" in text and not text.startswith("/"):
            entities.append({"type": "mention", "offset": utf16(text[:text.index("@")]),
                             "length": len(BOT_USERNAME) + 1})
        if entities:
            message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        self.messages[(chat["id"], message["message_id"])] = message
        if chat["type"] == "private":
            self.started.add(chat["id"])
        return self.new_update(message=message)

    def callback_update(self, user: Json, message: Json, data: str) -> Json:
        query = {"id": str(next(self._callback_ids)), "from": user, "chat_instance": "fake",
                 "data": data, "message": message}
        return self.new_update(callback_query=query)

    def member_update(self, chat: Json, actor: Json, old: str, new: str) -> Json:
        def member(status: str) -> Json:
            extra = {"until_date": 0} if status == "kicked" else {}
            rights = ADMIN_RIGHTS if status == "administrator" else {}
            return {"status": status, "user": BOT_USER, **rights, **extra}
        change = {"chat": chat, "from": actor, "date": int(time.time()),
                  "old_chat_member": member(old), "new_chat_member": member(new)}
        if chat["type"] == "private" and new == "kicked":
            self.started.discard(chat["id"])
        elif chat["type"] == "private":
            self.started.add(chat["id"])
        return self.new_update(my_chat_member=change)

    # -- what tests read -------------------------------------------------------------------

    def sent(self, chat_id: int) -> list[Json]:
        """Messages the bot put into a chat, in order, as they look now (after edits)."""
        return [m for (chat, _), m in self.messages.items()
                if chat == chat_id and m["from"]["id"] == BOT_ID]

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    # -- the methods -----------------------------------------------------------------------

    async def _m_getMe(self, call: Call) -> Json:
        return BOT_USER

    async def _m_setMyCommands(self, call: Call) -> bool:
        return True

    async def _m_deleteWebhook(self, call: Call) -> bool:
        self.webhook = {}
        return True

    async def _m_setWebhook(self, call: Call) -> bool:
        self.webhook = call.params
        return True

    async def _m_answerCallbackQuery(self, call: Call) -> bool:
        return True

    async def _m_getUpdates(self, call: Call) -> list[Json]:
        offset = int(call.params.get("offset") or 0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates and not self._closing:
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), float(call.params.get("timeout") or 0))
        return self.updates[:100]

    async def _m_getChatMember(self, call: Call) -> Json:
        chat, user = int(call.params["chat_id"]), int(call.params["user_id"])
        status = self.members.get((chat, user), "member")
        person = {"id": user, "is_bot": False, "first_name": f"user{user}"}
        extra: Json = {"until_date": 0} if status == "kicked" else {}
        if status == "administrator":
            extra = ADMIN_RIGHTS
        elif status == "creator":
            extra = {"is_anonymous": False}
        return {"status": status, "user": person, **extra}

    async def _m_sendMessage(self, call: Call) -> Json:
        held = self.holds.get(int(call.params["chat_id"]))
        if held is not None:
            try:  # given up before the client's own read timeout: nothing is delivered then
                await asyncio.wait_for(held[1].wait(), HOLD_LIMIT)
            except TimeoutError:
                raise ApiError(500, "Internal Server Error: held too long") from None
            finally:
                self.holds.pop(int(call.params["chat_id"]), None)
        text, entities = self._text(call.params, "text")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return self._store(call, {"text": text, **({"entities": entities} if entities else {})})

    async def _m_sendPhoto(self, call: Call) -> Json:
        if not call.files:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        caption, _ = self._text(call.params, "caption")
        if utf16(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        photo = {"file_id": f"photo{len(self.calls)}", "file_unique_id": f"u{len(self.calls)}",
                 "width": 640, "height": 480, "file_size": len(next(iter(call.files.values())))}
        body: Json = {"photo": [photo]}
        if caption:
            body["caption"] = caption
        return self._store(call, body)

    async def _m_editMessageText(self, call: Call) -> Json:
        message = self._message(call)
        text, entities = self._text(call.params, "text")
        if text == message.get("text") and call.params.get("reply_markup") == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        message["text"], message["entities"] = text, entities
        message["edited"] = True
        self._markup(message, call.params)
        return message

    async def _m_editMessageReplyMarkup(self, call: Call) -> Json:
        message = self._message(call)
        if "reply_markup" not in message and "reply_markup" not in call.params:
            raise ApiError(400, "Bad Request: message is not modified")
        self._markup(message, call.params)
        return message

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _text(params: Json, key: str) -> tuple[str, list[Json]]:
        raw = str(params.get(key, ""))
        if params.get("parse_mode") == "HTML":
            return parse_html(raw)
        return raw, []

    def _message(self, call: Call) -> Json:
        key = (int(call.params["chat_id"]), int(call.params["message_id"]))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        return self.messages[key]

    @staticmethod
    def _markup(message: Json, params: Json) -> None:
        """Editing without a reply_markup takes the inline keyboard away, as on Telegram."""
        markup = params.get("reply_markup")
        if markup and markup.get("inline_keyboard"):
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)

    def _store(self, call: Call, body: Json) -> Json:
        chat_id = int(call.params["chat_id"])
        if chat_id > 0 and chat_id not in self.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        markup = call.params.get("reply_markup")
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode()) > 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        chat = ({"id": chat_id, "type": "private", "first_name": f"user{chat_id}"} if chat_id > 0
                else {"id": chat_id, "type": "supergroup" if str(chat_id).startswith("-100") else "group",
                      "title": f"Group {chat_id}"})
        message: Json = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
                         "from": BOT_USER, **body}
        if markup:
            message["reply_markup"] = markup
        reply = call.params.get("reply_parameters")
        if reply:
            original = self.messages.get((chat_id, int(reply["message_id"])))
            if original is not None:
                message["reply_to_message"] = {k: v for k, v in original.items() if k != "reply_to_message"}
        if call.files:
            message["photo_bytes"] = next(iter(call.files.values()))
        self.messages[(chat_id, message["message_id"])] = message
        for until, released in self.holds.values():
            if until == chat_id:
                released.set()
        return {k: v for k, v in message.items() if k != "photo_bytes"}
