"""The `dashboard` chat command: a private sign-in link for mentors, or `dashboard revoke`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from coachbot.dashboard.access import LINK_LIFETIME, issue_link, revoke
from coachbot.groups.membership import mentored_groups
from coachbot.learning.render import plural
from coachbot.settings import Settings
from coachbot.store.models import Learner

NOT_A_MENTOR = ("The dashboard is for the mentors of a group: the chat's admins, and the "
                "mentors named in the coach's settings. Type dashboard in a group you mentor; if "
                "you think that should be you, ask an admin of the group.")
NOT_SET_UP = ("The dashboard isn't switched on for this coach yet. Whoever runs it sets "
              "COACHBOT_PUBLIC_URL to the address where coachbot run can be reached (for "
              "example https://coach.example.org) and COACHBOT_SECRET_KEY to a long random "
              "value, then restarts it.")


async def dashboard_command(session: AsyncSession, learner: Learner, settings: Settings,
                            args: tuple[str, ...], now: datetime) -> str:
    """The answer to `dashboard [revoke]`; always meant for the person alone."""
    if args and args[0].lower() == "revoke":
        sessions, links = await revoke(session, learner.id, now)
        if not sessions and not links:
            return "You had no open dashboard sessions or unused links. Nothing to end."
        return (f"Done: {plural(sessions, 'dashboard session')} ended and {plural(links, 'unused link')} "
                "cancelled. Type dashboard for a new link.")
    groups = await mentored_groups(session, learner.id)
    if not groups:
        return NOT_A_MENTOR
    if not settings.public_url or not settings.secret_key:
        return NOT_SET_UP
    link = await issue_link(session, learner, settings.public_url, settings.secret_key, now)
    names = ", ".join(g.title or g.chat_id for g in groups)
    hours = int(LINK_LIFETIME.total_seconds() // 3600)
    return (f"Your dashboard for {names}: {link}\nThis link is for you alone: it opens once, "
            f"within {hours} hours. Type dashboard revoke to sign out everywhere.")
