"""Answering free-text questions from the FAQ."""

from coachbot.faq.base import FaqMatch, FaqMatcher
from coachbot.faq.lexical import LexicalMatcher

__all__ = ["FaqMatch", "FaqMatcher", "LexicalMatcher"]
