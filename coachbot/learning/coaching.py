"""The coach's own extras, in the order they are offered: the first one due goes out today."""

from __future__ import annotations

from coachbot.learning.daily import Composer, Provider
from coachbot.learning.progression import Progression
from coachbot.learning.reviews import ReviewProvider


def providers(progression: Progression) -> list[Provider]:
    """Every kind of extra message, most important first."""
    return [
        # "followup" comes here, before the review
        ReviewProvider(progression.content),
        # "nudge" (the plan's) comes here, after the review
    ]


def composer(progression: Progression) -> Composer:
    return Composer(progression, providers(progression))
