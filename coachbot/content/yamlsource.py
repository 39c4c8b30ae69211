"""YAML parsing that remembers where every value sits, so errors can name the line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from coachbot.content.errors import ContentError, ContentProblem

# Far above any real curriculum (the bundled one is well under 1 MB), far below a memory problem.
MAX_FILE_BYTES = 5_000_000


class YamlSource:
    """A parsed YAML document and its node tree."""

    def __init__(self, path: Path, display: str) -> None:
        self.display = display
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise self._error(1, f"{size / 1e6:.1f} MB; a content file may be at most "
                                     f"{MAX_FILE_BYTES / 1e6:.0f} MB")
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise self._error(1, f"cannot read file: {exc}") from exc
        try:
            self.node: Node | None = yaml.compose(text, Loader=yaml.SafeLoader)
            if _has_alias(self.node):  # a few aliases can multiply into billions of values
                raise self._error(1, "anchors and aliases (& and *) are not allowed in content")
            duplicate = _first_duplicate_key(self.node)
            if duplicate is not None:
                key, line, first = duplicate
                raise self._error(line, f"duplicate key '{key}' (first at line {first}); "
                                        "each key may appear once")
            self.data: Any = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 1
            problem = getattr(exc, "problem", None) or str(exc)
            raise self._error(line, f"invalid YAML: {problem}") from exc
        except RecursionError as exc:
            raise self._error(1, "nested too deeply to be content") from exc
        except ValueError as exc:  # e.g. an integer of thousands of digits
            raise self._error(1, f"a value cannot be read: {str(exc)[:120]}") from exc

    def _error(self, line: int, message: str) -> ContentError:
        return ContentError([ContentProblem(self.display, line, "", message)])

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


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value) if isinstance(node, SequenceNode) else []


def _has_alias(root: Node | None) -> bool:
    """Whether any node is reached twice, which only an alias (*name) can do."""
    seen: set[int] = set()
    pending = [root] if root is not None else []
    while pending:
        node = pending.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        pending.extend(_children(node))
    return False


def _first_duplicate_key(root: Node | None) -> tuple[str, int, int] | None:
    """(key, line, line of its first use) of the first key repeated within one mapping."""
    pending = [root] if root is not None else []
    while pending:
        node = pending.pop()
        if isinstance(node, MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode):
                    line = key_node.start_mark.line + 1
                    if key_node.value in seen:
                        return key_node.value, line, seen[key_node.value]
                    seen[key_node.value] = line
                pending.append(value_node)
        elif isinstance(node, SequenceNode):
            pending.extend(node.value)
    return None


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
