"""Replies as Telegram messages: HTML lessons, inline keyboards, parts under the length limit."""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit, ParseMode

from coachbot.messages import Choice, LessonView, Reply
from coachbot.textinput import as_number
from coachbot_telegram.links import START_LABEL
from coachbot_telegram.profile import utf16_length

TEXT_LIMIT = int(MessageLimit.MAX_TEXT_LENGTH)  # 4096
CAPTION_LIMIT = int(MessageLimit.CAPTION_LENGTH)  # 1024
DATA_LIMIT = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)  # 64 bytes
LONG_LABEL = 32  # longer labels are listed in the text and the buttons carry their numbers
SHORT_LABEL = 10  # this short, up to ROW of them share a row
ROW = 4
BY_NUMBER = "#"  # callback data "#2": the second of the choices offered last (see encode_action)


@dataclass(frozen=True)
class Part:
    """One Telegram message: text (or a photo's caption), how it is parsed, its keyboard."""

    text: str
    html: bool = False
    keyboard: InlineKeyboardMarkup | None = None
    photo: bytes | None = None
    filename: str = "chart.png"

    @property
    def parse_mode(self) -> str | None:
        return ParseMode.HTML if self.html else None


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut `text` into pieces under `limit`, at a paragraph, a line or a space when there is one."""
    pieces: list[str] = []
    rest = text.strip()
    while utf16_length(rest) > limit:
        head = _fit(rest, limit)
        cut = next((at for at in (head.rfind(sep) for sep in ("\n\n", "\n", " ")) if at > len(head) // 2),
                   len(head))
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _fit(text: str, limit: int) -> str:
    """The longest prefix of `text` within `limit` UTF-16 units."""
    low, high = 0, min(len(text), limit)
    while low < high:
        middle = (low + high + 1) // 2
        if utf16_length(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return text[:low]


def encode_action(action: str, number: int) -> str:
    """Callback data for a choice: the action itself when it fits Telegram's 64 bytes.

    A longer one falls back to its number, which the core reads as picking that one of the
    choices it offered last (as if the number had been typed).
    """
    if len(action.encode()) <= DATA_LIMIT:
        return action
    return f"{BY_NUMBER}{number}"


def decode_action(data: str) -> tuple[str | None, str]:
    """(action, text) for the core: a button's action, or the number typed for a long one."""
    if data.startswith(BY_NUMBER) and as_number(data[1:]) is not None:
        return None, data[1:]
    return data, ""


def keyboard(choices: tuple[Choice, ...], numbered: bool) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(str(i) if numbered else choice.label,
                                    callback_data=encode_action(choice.action, i))
               for i, choice in enumerate(choices, 1)]
    short = numbered or all(len(choice.label) <= SHORT_LABEL for choice in choices)
    width = ROW if short else 1
    return InlineKeyboardMarkup([buttons[i:i + width] for i in range(0, len(buttons), width)])


def url_keyboard(label: str, url: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, url=url)]])


def numbered_lines(choices: tuple[Choice, ...]) -> str:
    return "\n".join(f"{i}. {choice.label}" for i, choice in enumerate(choices, 1))


def lists_choices(text: str, choices: tuple[Choice, ...]) -> bool:
    """Whether the text already numbers the choices (as '1. label ...' lines)."""
    lines = text.splitlines()
    return all(any(line.startswith(f"{i}. {choice.label}") for line in lines)
               for i, choice in enumerate(choices, 1))


def render(reply: Reply, *, group: bool = False, deep_link: str | None = None) -> list[Part]:
    """The messages that show `reply`; the keyboard rides on the last one."""
    if reply.image is not None:
        return _with_photo(reply)
    if reply.lesson is not None:
        lesson = _lesson(reply, reply.lesson, group, deep_link)
        if lesson is not None:
            return lesson
    return render_plain(reply)


def render_plain(reply: Reply) -> list[Part]:
    """Plain text, with long choice labels listed and numbered in the text."""
    text, markup = reply.text, None
    if reply.choices:
        numbered = any(len(choice.label) > LONG_LABEL for choice in reply.choices)
        if numbered and not lists_choices(text, reply.choices):
            text = f"{text}\n\n{numbered_lines(reply.choices)}"
        markup = keyboard(reply.choices, numbered)
    return _parts(split_text(text), html=False, markup=markup)


def _parts(pieces: list[str], html: bool, markup: InlineKeyboardMarkup | None) -> list[Part]:
    parts = [Part(piece, html=html) for piece in pieces]
    if parts and markup is not None:
        parts[-1] = Part(parts[-1].text, html=html, keyboard=markup)
    return parts


def _with_photo(reply: Reply) -> list[Part]:
    assert reply.image is not None
    markup = keyboard(reply.choices, False) if reply.choices else None
    photo = Part("", photo=reply.image, filename=reply.image_name, keyboard=markup)
    text = reply.text.strip()
    if utf16_length(text) <= CAPTION_LIMIT:
        return [Part(text, photo=reply.image, filename=reply.image_name, keyboard=markup)]
    return [*_parts(split_text(text), html=False, markup=None), photo]


def _lesson(reply: Reply, view: LessonView, group: bool, deep_link: str | None) -> list[Part] | None:
    answers = tuple(c for c in reply.choices if c.action.startswith("answer:"))
    e = html.escape
    lines = [f"<b>{e(view.title)}</b>",
             f"<i>{e(view.track_title)} · lesson {view.position} of {view.total}</i>", "",
             e(view.body), "",
             f"<b>Try this today</b> (about {view.try_minutes} min): {e(view.try_this)}", "",
             f"<b>Check-in:</b> {e(view.question)}"]
    if answers:
        lines.append(e(numbered_lines(answers)))
    markup: InlineKeyboardMarkup | None
    if group:
        lines.append("Talk it over here. For your own daily lessons and check-ins, chat with me "
                     "privately.")
        markup = url_keyboard(START_LABEL, deep_link) if deep_link else None
    elif answers:
        lines.append("Tap your answer below, or send its number.")
        markup = keyboard(answers, numbered=True)
    else:
        lines.append("Reply with your thoughts (a sentence is plenty), or tap the button when done.")
        markup = keyboard(reply.choices, numbered=False) if reply.choices else None
    text = "\n".join(lines)
    if utf16_length(text) > TEXT_LIMIT:
        return None  # too long for one message: the plain rendering splits safely
    return [Part(text, html=True, keyboard=markup)]


def chosen_label(markup: InlineKeyboardMarkup | None, data: str, text: str) -> str | None:
    """The label of the pressed button; a number's line from the text when buttons are numbered."""
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                label = button.text
                if label.isdigit():
                    prefix = f"{label}. "
                    line = next((ln for ln in text.splitlines() if ln.startswith(prefix)), label)
                    return line.split(": ", 1)[0]  # '1. Title: summary' shows as '1. Title'
                return label
    return None
