"""YAML parsing that remembers where every value sits, so errors can name the line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from coachbot.content.errors import ContentError, ContentProblem


class YamlSource:
    """A parsed YAML document and its node tree."""

    def __init__(self, path: Path, display: str) -> None:
        self.display = display
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ContentError([ContentProblem(display, 1, "", f"cannot read file: {exc}")]) from exc
        try:
            self.node: Node | None = yaml.compose(text, Loader=yaml.SafeLoader)
            self.data: Any = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 1
            problem = getattr(exc, "problem", None) or str(exc)
            raise ContentError([ContentProblem(display, line, "", f"invalid YAML: {problem}")]) from exc

    def line_of(self, loc: Sequence[int | str]) -> int:
        """The line of the deepest node found along `loc` (1-based)."""
        node = self.node
        if node is None:
            return 1
        line = node.start_mark.line + 1
        for key in loc:
            found = _child(node, key)
            if found is None:
                break
            node, line = found
        return line

    def problem(self, loc: Sequence[int | str], message: str) -> ContentProblem:
        return ContentProblem(self.display, self.line_of(loc), field_path(loc), message)


def _child(node: Node, key: int | str) -> tuple[Node, int] | None:
    """The child node under `key` and the line a reader would point at (the key's own line)."""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == str(key):
                return value_node, key_node.start_mark.line + 1
    if isinstance(node, SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        item: Node = node.value[key]
        return item, item.start_mark.line + 1
    return None


def field_path(loc: Sequence[int | str]) -> str:
    """('lessons', 3, 'checkin') -> 'lessons[3].checkin'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
