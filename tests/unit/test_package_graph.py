"""The core's packages depend on each other in one direction only: content at the bottom, then
learning, groups, delivery, dashboard and conversation, and the authors' checks on top."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections import defaultdict
from graphlib import CycleError, TopologicalSorter
from itertools import pairwise
from pathlib import Path

import coachbot

PACKAGES = ("content", "learning", "groups", "delivery", "dashboard", "conversation", "authoring")
ROOT = Path(coachbot.__file__).resolve().parent
# Imports allowed to go against the order, each with its reason; none today.
KNOWN: set[tuple[str, str]] = set()


def modules(package: str) -> list[str]:
    found = pkgutil.walk_packages([str(ROOT / package)], f"coachbot.{package}.")
    return [f"coachbot.{package}", *(info.name for info in found)]


def imported(path: Path) -> set[str]:
    """Every coachbot module `path` names in an import, wherever the import stands."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update([node.module, *(f"{node.module}.{alias.name}" for alias in node.names)])
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name.startswith("coachbot.")}


def package_graph() -> dict[str, dict[str, set[str]]]:
    """package -> the packages it imports -> the files that import them."""
    graph: dict[str, dict[str, set[str]]] = {package: defaultdict(set) for package in PACKAGES}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            where = path.relative_to(ROOT).as_posix()
            for name in imported(path):
                target = name.split(".")[1]
                if target in PACKAGES and target != package and (where, target) not in KNOWN:
                    graph[package][target].add(where)
    return graph


def test_every_module_of_the_core_packages_imports() -> None:
    for package in PACKAGES:
        for name in modules(package):
            importlib.import_module(name)


def test_the_packages_import_each_other_without_a_cycle() -> None:
    graph = package_graph()
    try:
        order = list(TopologicalSorter({p: set(targets) for p, targets in graph.items()}).static_order())
    except CycleError as error:
        cycle = error.args[1]  # each one is imported by the next
        steps = [f"{user} imports {used} ({', '.join(sorted(graph[user][used]))})"
                 for used, user in pairwise(cycle)]
        raise AssertionError("the packages import each other in a cycle:\n" + "\n".join(steps)) from None
    assert order.index("content") < order.index("learning") < order.index("conversation")
    assert order.index("conversation") < order.index("authoring")  # checks read the registry


def test_the_known_exceptions_are_still_there() -> None:
    """So that a moved import also takes its exception out of KNOWN."""
    for where, target in KNOWN:
        assert any(name.split(".")[1] == target for name in imported(ROOT / where)), (where, target)
