"""A learner's path: the tracks for what brought them here, in the order they make sense.

A track is on the path of every audience it names in `audiences` (of everyone when it names
none); the tracks `early_for` the audience come first, the rest keep the content's order. A
learner who never said what brought them (onboarded before the question existed) has every
track on their path. Any track stays open to anyone: the path only orders and suggests.
"""

from __future__ import annotations

from coachbot.content.models import Content, Track


def path_of(content: Content, purpose: str | None) -> list[Track]:
    """The tracks meant for this purpose (every track when none was given), in path order."""
    if purpose is None:
        return list(content.tracks)
    fitting = [track for track in content.tracks if not track.audiences or purpose in track.audiences]
    return sorted(fitting, key=lambda track: purpose not in track.early_for)  # stable: content order


def off_path(content: Content, purpose: str | None) -> list[Track]:
    """The tracks not on the path, in the content's order (still anyone's to pick)."""
    path = path_of(content, purpose)
    return [track for track in content.tracks if track not in path]


def first_on_path(content: Content, purpose: str | None) -> Track:
    path = path_of(content, purpose)
    return path[0] if path else content.default_track


def next_on_path(content: Content, purpose: str | None, track: Track) -> Track | None:
    """The track after this one on the learner's path (the content's next_track without one).

    From a track off the path, the way back is the path's first track.
    """
    following = content.track(track.next_track or "")
    if purpose is None:
        return following
    path = path_of(content, purpose)
    if track in path:
        index = path.index(track)
        return path[index + 1] if index + 1 < len(path) else None
    return following if following in path else first_on_path(content, purpose)
