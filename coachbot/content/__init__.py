"""Curriculum and FAQ content: YAML files validated into typed models."""

from coachbot.content.errors import ContentError, ContentProblem
from coachbot.content.loader import load_content
from coachbot.content.models import Choice, Content, FaqEntry, Lesson, Track

__all__ = [
    "Choice",
    "Content",
    "ContentError",
    "ContentProblem",
    "FaqEntry",
    "Lesson",
    "Track",
    "load_content",
]
