"""A learner's path: the tracks for what brought them here, in the order they make sense."""

from __future__ import annotations

from coachbot.content.models import Content, Track


def path_of(content: Content, purpose: str | None) -> list[Track]:
    """The tracks meant for this purpose (every track when none was given), in path order."""
    return [track for track in content.tracks
            if purpose is None or not track.audiences or purpose in track.audiences]


def next_on_path(content: Content, purpose: str | None, track: Track) -> Track | None:
    """The track after this one on the learner's path (the content's next_track without one)."""
    path = path_of(content, purpose)
    if purpose is not None and track in path:
        index = path.index(track)
        return path[index + 1] if index + 1 < len(path) else None
    return content.track(track.next_track or "")
