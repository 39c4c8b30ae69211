"""Picking the FAQ matcher: the semantic hybrid, built when the first question arrives.

Loading the model and the embedded FAQ takes a moment, so start-up does not wait for it:
`coachbot --help`, a bad setting and `coachbot chat` up to the first question are as quick
as with the lexical matcher. If the model cannot load, the lexical matcher answers instead,
and the log says why.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from coachbot.content.models import FaqEntry
from coachbot.faq.base import FaqMatch, FaqMatcher
from coachbot.faq.lexical import LexicalMatcher

if TYPE_CHECKING:
    from coachbot.faq.embedder import Embedder

log = logging.getLogger(__name__)

# Set to 1 to keep the lexical matcher (no model in memory, nothing to load).
LEXICAL_ONLY = "COACHBOT_FAQ_LEXICAL"


class LazyMatcher:
    """The semantic hybrid, built on the first question; the lexical matcher if the model cannot load."""

    def __init__(self, entries: Sequence[FaqEntry], cache_dir: Path | None,
                 load: Callable[[], Embedder] | None = None) -> None:
        self.entries = list(entries)
        self._cache_dir = cache_dir
        self._load = load
        self._matcher: FaqMatcher | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether a question has come yet (and so the matcher was built)."""
        return self._matcher is not None

    def match(self, question: str) -> FaqMatch:
        return self.ready().match(question)

    def ready(self) -> FaqMatcher:
        """The matcher in use, built now if no question came before."""
        if self._matcher is None:
            with self._lock:
                if self._matcher is None:
                    self._matcher = self._build()
        return self._matcher

    def _build(self) -> FaqMatcher:
        from coachbot.faq.embedder import ModelUnavailable
        from coachbot.faq.semantic import HybridMatcher, load_embedder

        started = time.perf_counter()
        try:
            matcher = HybridMatcher(self.entries, (self._load or load_embedder)(), self._cache_dir)
        except (ModelUnavailable, ImportError, OSError) as exc:
            log.warning("FAQ matcher: lexical, because the semantic model could not load: %s", exc)
            return LexicalMatcher(self.entries)
        log.info("FAQ matcher: semantic hybrid with %s, ready in %.1f s", matcher.embedder.name,
                 time.perf_counter() - started)
        return matcher


def choose_matcher(entries: Sequence[FaqEntry], cache_dir: Path | None) -> FaqMatcher:
    if os.environ.get(LEXICAL_ONLY) == "1":
        log.info("FAQ matcher: lexical (%s=1)", LEXICAL_ONLY)
        return LexicalMatcher(entries)
    log.info("FAQ matcher: semantic hybrid (the model loads with the first question)")
    return LazyMatcher(entries, cache_dir)


def announce(stream: TextIO = sys.stderr) -> None:
    """Say on `stream` which matcher answers and any FAQ warning (`coachbot chat` logs nothing else)."""
    package = logging.getLogger("coachbot.faq")
    if not any(getattr(h, "announces", False) for h in package.handlers):
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter("coachbot: %(message)s"))
        handler.announces = True  # type: ignore[attr-defined]
        package.addHandler(handler)
        package.propagate = False
    package.setLevel(logging.INFO)
