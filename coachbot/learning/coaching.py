"""The coach's own extras, in the order they are offered: the first one due goes out today."""

from __future__ import annotations

from coachbot.learning.confidence import ConfidenceQuestions
from coachbot.learning.daily import Composer, Provider
from coachbot.learning.progression import Progression


def providers(progression: Progression) -> list[Provider]:
    """Every kind of extra message, most important first."""
    return [ConfidenceQuestions(progression)]


def composer(progression: Progression) -> Composer:
    return Composer(progression, providers(progression))
