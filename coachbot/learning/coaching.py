"""The coach's own extras, in the order they are offered: the first one due goes out today."""

from __future__ import annotations

from coachbot.learning.confidence import ConfidenceQuestions
from coachbot.learning.daily import Composer, Provider
from coachbot.learning.followups import FollowUps
from coachbot.learning.plan import PlanNudge
from coachbot.learning.progression import Progression
from coachbot.learning.reviews import ReviewProvider


def providers(progression: Progression) -> list[Provider]:
    """Every kind of extra message, most important first."""
    content = progression.content
    return [
        ConfidenceQuestions(progression),  # first: it opens and closes a track
        FollowUps(content),
        ReviewProvider(content),
        PlanNudge(content),  # last: a month after the path, it can wait a day
    ]


def composer(progression: Progression) -> Composer:
    return Composer(progression, providers(progression))
