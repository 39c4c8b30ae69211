"""Replies as Block Kit: lessons with buttons, choices, and the message a button was pressed on.

Limits (Block Kit reference): 50 blocks a message, 3,000 characters of section text, 150 of a
header, 75 of a button label, 2,000 of a button value, 25 elements in an actions block.
"""

from __future__ import annotations

from typing import Any

from coachbot.learning.render import lesson_text
from coachbot.messages import Choice, LessonView, Reply

Block = dict[str, Any]

MAX_BLOCKS = 50
SECTION_TEXT = 3000
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ACTIONS_PER_BLOCK = 25
MESSAGE_TEXT = 39000
ACTION_PREFIX = "coach:"
OPEN_DM = "open_dm"


def escape(text: str) -> str:
    """Slack's mrkdwn treats &, < and > as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def chunks(text: str, limit: int = SECTION_TEXT) -> list[str]:
    """Split at paragraph or line ends so each piece fits a section."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = max(rest.rfind("\n\n", 0, limit), rest.rfind("\n", 0, limit), rest.rfind(" ", 0, limit))
        cut = cut if cut > 0 else limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*pieces, rest] if rest else pieces


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, SECTION_TEXT)}]}


def text_blocks(text: str) -> list[Block]:
    return [section(piece) for piece in chunks(escape(text))]


def button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {"type": "button", "action_id": action_id, "value": value,
                      "text": {"type": "plain_text", "text": clip(label, BUTTON_TEXT), "emoji": True}}
    if style:
        element["style"] = style
    return element


def fits(choice: Choice) -> bool:
    return 0 < len(choice.action) <= BUTTON_VALUE


def choice_blocks(choices: tuple[Choice, ...]) -> list[Block]:
    """Short labels become a row of buttons; long ones (check-in answers) one line each."""
    usable = [(i, c) for i, c in enumerate(choices) if fits(c)]
    if not usable:
        return []
    if all(len(c.label) <= BUTTON_TEXT for _, c in usable) and len(usable) <= ACTIONS_PER_BLOCK:
        return [{"type": "actions", "block_id": "choices",
                 "elements": [button(c.label, f"{ACTION_PREFIX}{i}", c.action) for i, c in usable]}]
    return [{**section(f"*{i + 1}.* {escape(c.label)}"), "block_id": f"choice-{i}",
             "accessory": button(f"Choose {i + 1}", f"{ACTION_PREFIX}{i}", c.action)}
            for i, c in usable]


GROUP_HINT = ("Talk it over here. For your own daily lessons and check-ins, message the coach "
              "privately.")


def lesson_blocks(view: LessonView, extra: str, reflection: bool, group: bool = False) -> list[Block]:
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(view.title, HEADER_TEXT)}},
        context(escape(f"{view.track_title} · lesson {view.position} of {view.total}")),
        *text_blocks(view.body),
        section(f"*Try this today* (about {view.try_minutes} min): {escape(view.try_this)}"),
        section(f"*Check-in:* {escape(view.question)}"),
    ]
    if group:  # a lesson posted to a channel: check-ins stay private, so point to the DM
        blocks.append(context(GROUP_HINT))
        blocks.append({"type": "actions", "elements": [
            button("Message the coach", OPEN_DM, "open", "primary")]})
        return blocks
    hint = ("Reply with your thoughts (a sentence is plenty), or press Mark as done."
            if reflection else "Press your answer, or reply with its number.")
    blocks.append(context(hint))
    if extra:
        blocks.append(context(escape(extra)))
    return blocks


def reply_blocks(reply: Reply) -> list[Block]:
    if reply.lesson is not None:
        reflection = any(c.action.startswith("done:") for c in reply.choices)
        group = not reply.choices  # the core posts group lessons without private check-in buttons
        standard = lesson_text(reply.lesson, reflection)
        extra = reply.text[len(standard):].strip() if reply.text.startswith(standard) else ""
        blocks = lesson_blocks(reply.lesson, extra, reflection, group)
    else:
        blocks = text_blocks(reply.text)
    blocks += choice_blocks(reply.choices)
    return blocks[:MAX_BLOCKS]


def message_text(reply: Reply) -> str:
    """The plain fallback Slack shows in notifications and where blocks cannot be drawn."""
    return clip(reply.text, MESSAGE_TEXT)


def picked_label(blocks: list[Block], action_id: str) -> str:
    """What the pressed button stood for: its label, or the answer line it sits beside."""
    for block in blocks:
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") == action_id:
            text = str(block.get("text", {}).get("text", ""))
            return unescape(text.split("* ", 1)[-1] if text.startswith("*") else text)
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == action_id:
                return str(element.get("text", {}).get("text", ""))
    return ""


def without_buttons(blocks: list[Block]) -> list[Block]:
    """The pressed message's content, with every button of ours gone so none is pressed twice."""
    kept: list[Block] = []
    for block in blocks:
        if block.get("type") == "actions":
            continue
        accessory = block.get("accessory") or {}
        if str(accessory.get("action_id", "")).startswith(ACTION_PREFIX):
            block = {k: v for k, v in block.items() if k != "accessory"}
        kept.append(block)
    return kept


def pressed_blocks(original: list[Block], label: str, reply: Reply | None) -> list[Block]:
    blocks = without_buttons(original)
    if label:
        blocks.append(context(f"You picked: *{escape(label)}*"))
    if reply is not None:
        blocks += reply_blocks(reply)
    return blocks[-MAX_BLOCKS:]
