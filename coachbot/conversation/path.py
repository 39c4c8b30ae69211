"""`path`: the tracks for what brought the learner here, in order, and choosing what that is."""

from __future__ import annotations

import re

from coachbot.buttons import PickPurpose, PickTrack, encode
from coachbot.content.coaching import Audience
from coachbot.conversation.context import Context
from coachbot.learning.path import path_of
from coachbot.messages import Choice, Reply
from coachbot.textinput import as_number


def find_audience(ctx: Context, text: str) -> Audience | None:
    """An audience by its number in the list, its id, its label, or its id among the words."""
    audiences = ctx.content.coaching.path.audiences
    key = text.strip().lower()
    number = as_number(key)
    if number is not None:
        return audiences[number - 1] if 1 <= number <= len(audiences) else None
    exact = next((a for a in audiences if key in (a.id, a.label.lower())), None)
    words = set(re.findall(r"[a-z0-9-]+", key))
    return exact or next((a for a in audiences if a.id in words), None)


def audience_choices(ctx: Context) -> tuple[Choice, ...]:
    return tuple(Choice(a.label, encode(PickPurpose(a.id))) for a in ctx.content.coaching.path.audiences)


def unknown_audience(ctx: Context, value: str) -> Reply:
    section = ctx.content.coaching.path
    return Reply(section.unknown.format(value=value[:40], ids=", ".join(section.ids)),
                 audience_choices(ctx))


async def show_path(ctx: Context, args: tuple[str, ...]) -> list[Reply]:
    """`path` shows it; `path <audience>` sets what brings the learner here first."""
    if args:
        return await choose(ctx, " ".join(args))
    section = ctx.content.coaching.path
    if section.audience(ctx.learner.purpose) is None:
        return [Reply(section.no_purpose.format(ids=", ".join(section.ids)), audience_choices(ctx))]
    return [await path_reply(ctx)]


async def choose(ctx: Context, value: str) -> list[Reply]:
    """Set (or change) what brings the learner here, and show the path that gives."""
    audience = find_audience(ctx, value)
    if audience is None:
        return [unknown_audience(ctx, value)]
    ctx.learner.purpose = audience.id
    reply = await path_reply(ctx)
    changed = ctx.content.coaching.path.changed.format(label=audience.label)
    return [Reply(f"{changed}\n{reply.text}", reply.choices)]


async def path_reply(ctx: Context) -> Reply:
    """The path in order, each track marked done, current or next (the first on the path not
    done yet), and how to switch."""
    section = ctx.content.coaching.path
    audience = section.audience(ctx.learner.purpose)
    assert audience is not None
    path = path_of(ctx.content, audience.id)
    done = await ctx.repo.completed_counts(ctx.learner)
    current = ctx.track()
    following = next((t for t in path if t != current and done.get(t.id, 0) < len(t.lessons)), None)
    lines = [section.heading.format(label=audience.label)]
    for number, track in enumerate(path, 1):
        marks = [mark for mark, shown in ((section.done_mark, done.get(track.id, 0) >= len(track.lessons)),
                                          (section.current_mark, track == current),
                                          (section.next_mark, track == following)) if shown]
        lines.append(f"{number}. {track.title} [{track.id}]" + (f" ({', '.join(marks)})" if marks else ""))
    lines.append(section.how_to_switch.format(ids="|".join(section.ids)))
    return Reply("\n".join(lines), tuple(Choice(t.title, encode(PickTrack(t.id))) for t in path))
