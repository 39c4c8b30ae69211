"""The dashboard's pages and forms on the process's aiohttp server, under /dashboard.

Every page checks the session and its scope; every form carries the session's CSRF token
and must come from our own origin; the mentor actions call the same functions as the chat
commands. Addresses hold no member data (group ids are internal numbers), and nothing
about members is logged.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from importlib.resources import files
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from coachbot.dashboard import access
from coachbot.dashboard.access import LINK_PATH, SESSION_LIFETIME, LinkProblem, Visitor
from coachbot.dashboard.cache import ReportCache
from coachbot.dashboard.pages import STANDINGS, TableView, chart, members_table, track_titles
from coachbot.dashboard.throttle import BadLinkThrottle, client_address
from coachbot.groups import actions
from coachbot.groups.checkins import checkin_figures, percent
from coachbot.platform import Route
from coachbot.queued import WorkQueued
from coachbot.store.models import Group

if TYPE_CHECKING:
    from coachbot.bootstrap import App
    from coachbot.clock import Clock
    from coachbot.content import Content
    from coachbot.settings import Settings

log = logging.getLogger(__name__)
COOKIE = "coachbot_dashboard"
HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; style-src 'self'; script-src 'self'; "
                                "img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                                "base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # with no-referrer, browsers send "Origin: null" on our forms
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
ASSETS = {"dashboard.css": "text/css", "filter.js": "text/javascript"}
LINK_REFUSALS = {
    LinkProblem.FORGED: (403, "This link isn't valid",
                         "It was not made by this coach, or it was changed on the way."),
    LinkProblem.EXPIRED: (410, "This link has expired",
                          "Sign-in links work for 24 hours after they are sent."),
    LinkProblem.USED: (410, "This link was already used",
                       "Each link opens the dashboard once, so a copy of it is of no use to "
                       "anyone else."),
    LinkProblem.REVOKED: (410, "This link was cancelled",
                          "It was ended with dashboard revoke, or its owner's data was deleted."),
    LinkProblem.NO_GROUPS: (403, "No groups to show",
                            "You don't mentor a group with the coach at the moment."),
}
NEW_LINK = "Type dashboard in a group you mentor (or in your private chat with the coach) for a new link."

Page = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Dashboard:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, content: Content,
                 queued: WorkQueued, settings: Settings) -> None:
        assert settings.public_url and settings.secret_key
        self.sessions = sessions
        self.clock = clock
        self.content = content
        self.queued = queued
        self.secret_key = settings.secret_key
        self.origin = "{0.scheme}://{0.netloc}".format(urlsplit(settings.public_url))
        self.secure = self.origin.startswith("https://")
        self.throttle = BadLinkThrottle(clock)
        self.reports = ReportCache()
        self.templates = jinja2.Environment(
            loader=jinja2.PackageLoader("coachbot.dashboard", "templates"),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.templates.globals.update(percent=percent, standings=STANDINGS)

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/dashboard", self.groups_page),
            Route("GET", LINK_PATH + "{token}", self.open_page),
            Route("POST", LINK_PATH + "{token}", self.open_session),
            Route("GET", "/dashboard/groups/{group_id:\\d{1,12}}", self.group_page),
            Route("POST", "/dashboard/groups/{group_id:\\d{1,12}}/{action:push|schedule|digest}",
                  self.group_action),
            Route("POST", "/dashboard/signout", self.sign_out),
            Route("GET", "/dashboard/assets/{name}", self.asset),
        ]

    # -- rendering ---------------------------------------------------------------------------

    def render(self, template: str, status: int = 200, **context: Any) -> web.Response:
        html = self.templates.get_template(template).render(**context)
        return web.Response(text=html, status=status, content_type="text/html", headers=HEADERS)

    def refusal(self, status: int, title: str, why: str, what: str = NEW_LINK,
                headers: dict[str, str] | None = None) -> web.Response:
        response = self.render("message.html", status, title=title, why=why, what=what)
        response.headers.update(headers or {})
        return response

    async def asset(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in ASSETS:
            raise web.HTTPNotFound()
        body = files("coachbot.dashboard").joinpath("assets", name).read_bytes()
        headers = {**HEADERS, "Cache-Control": "public, max-age=3600"}
        return web.Response(body=body, content_type=ASSETS[name], headers=headers)

    # -- signing in --------------------------------------------------------------------------

    def _slowed(self, request: web.Request) -> web.Response | None:
        wait = self.throttle.wait(self._address(request))
        if not wait:
            return None
        return self.refusal(429, "Too many bad links", f"This address tried several links that "
                            f"didn't work. Try again in {wait} seconds.", "Wait, then open the "
                            "newest link you were sent.", {"Retry-After": str(wait)})

    @staticmethod
    def _address(request: web.Request) -> str:
        return client_address(request.remote, request.headers.get("X-Forwarded-For"))

    def _bad_link(self, request: web.Request, problem: LinkProblem) -> web.Response:
        self.throttle.failed(self._address(request))
        log.info("dashboard: a sign-in link was refused (%s)", problem.value)
        status, title, why = LINK_REFUSALS[problem]
        return self.refusal(status, title, why)

    async def open_page(self, request: web.Request) -> web.Response:
        """Ask before using the link up, so a chat app's link preview cannot spend it."""
        slowed = self._slowed(request)
        if slowed:
            return slowed
        async with self.sessions() as session:
            link = await access.check_link(session, self.secret_key, request.match_info["token"],
                                           self.now())
        if isinstance(link, LinkProblem):
            return self._bad_link(request, link)
        return self.render("open.html", expires=link.expires_at)

    async def open_session(self, request: web.Request) -> web.StreamResponse:
        slowed = self._slowed(request) or self._foreign(request)
        if slowed:
            return slowed
        async with self.sessions() as session, session.begin():
            now = self.now()
            link = await access.check_link(session, self.secret_key, request.match_info["token"], now)
            opened = link if isinstance(link, LinkProblem) else await access.open_session(session, link, now)
        if isinstance(opened, LinkProblem):
            return self._bad_link(request, opened)
        response = see_other("/dashboard")
        response.set_cookie(COOKIE, opened.token, max_age=int(SESSION_LIFETIME.total_seconds()),
                            path="/dashboard", httponly=True, samesite="Lax", secure=self.secure)
        return response

    async def sign_out(self, request: web.Request) -> web.StreamResponse:
        return await self._signed_in(request, self._sign_out, form=True)

    async def _sign_out(self, request: web.Request, session: AsyncSession, visitor: Visitor) -> web.Response:
        visitor.row.revoked_at = self.now()
        response = self.render("message.html", title="Signed out", why="This browser's dashboard "
                               "session has ended.", what=NEW_LINK)
        response.del_cookie(COOKIE, path="/dashboard")
        return response

    # -- sessions ----------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def _foreign(self, request: web.Request) -> web.Response | None:
        """A form posted from another site (browsers say where a form came from)."""
        origin = request.headers.get("Origin")
        if origin is None or origin == self.origin:
            return None
        return self.refusal(403, "Form refused", "This form was sent from another website.",
                            "Open the dashboard from your own link and use its forms.")

    async def _signed_in(self, request: web.Request,
                         page: Callable[[web.Request, AsyncSession, Visitor], Awaitable[web.StreamResponse]],
                         form: bool = False) -> web.StreamResponse:
        """Run `page` for a signed-in mentor inside one unit of work; refuse everyone else."""
        if form and (refused := self._foreign(request)):
            return refused
        token = request.cookies.get(COOKIE, "")
        async with self.sessions() as session, session.begin():
            visitor = await access.visitor(session, token, self.now()) if token else None
            if visitor is None:
                return self.refusal(401, "You're not signed in", "This browser has no open "
                                    "dashboard session: it ended, was signed out, or never began.")
            if form:
                sent = (await request.post()).get("csrf", "")
                if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(),
                                                                        visitor.row.csrf.encode()):
                    return self.refusal(403, "Form expired", "This form is older than your "
                                        "session, or was not sent from the dashboard.",
                                        "Go back, reload the page and try again.")
            return await page(request, session, visitor)

    def _group(self, request: web.Request, visitor: Visitor) -> Group | None:
        return visitor.group(int(request.match_info["group_id"]))

    def _not_yours(self) -> web.Response:
        return self.refusal(403, "Not one of your groups", "This dashboard session covers "
                            "only the groups you mentored when you opened it.",
                            "Go back to your groups, or type dashboard in that group for a new link.")

    # -- pages -------------------------------------------------------------------------------

    async def groups_page(self, request: web.Request) -> web.StreamResponse:
        return await self._signed_in(request, self._groups)

    async def _groups(self, request: web.Request, session: AsyncSession, visitor: Visitor) -> web.Response:
        now = self.now()
        reports = [await self.reports.report(session, group, now) for group in visitor.groups]
        return self.render("groups.html", visitor=visitor, reports=reports, csrf=visitor.row.csrf)

    async def group_page(self, request: web.Request) -> web.StreamResponse:
        return await self._signed_in(request, self._group_page)

    async def _group_page(self, request: web.Request, session: AsyncSession,
                          visitor: Visitor) -> web.Response:
        group = self._group(request, visitor)
        if group is None:
            return self._not_yours()
        content = self.content
        report = await self.reports.report(session, group, self.now())
        notice, visitor.row.notice = visitor.row.notice, None
        return self.render(
            "group.html", visitor=visitor, group=group, report=report, notice=notice,
            table=members_table(report, TableView.from_query(request.query)),
            chart=chart(report.per_day), checkins=await checkin_figures(session, content, group),
            schedule=actions.schedule_summary(content, group), digest=actions.digest_summary(group),
            next_up=actions.upcoming(content, group), tracks=content.tracks,
            track_titles=track_titles(content), weekdays=actions.WEEKDAYS, csrf=visitor.row.csrf)

    # -- actions -----------------------------------------------------------------------------

    async def group_action(self, request: web.Request) -> web.StreamResponse:
        queued: list[bool] = []
        response = await self._signed_in(request, partial(self._act, queued), form=True)
        if any(queued):
            self.queued.say()  # committed: send it now, not at the next tick
        return response

    async def _act(self, queued: list[bool], request: web.Request, session: AsyncSession,
                   visitor: Visitor) -> web.StreamResponse:
        group = self._group(request, visitor)
        if group is None:
            return self._not_yours()
        form = {key: value for key, value in (await request.post()).items() if isinstance(value, str)}
        action = request.match_info["action"]
        outcome = await self._outcome(session, group, action, form)
        log.info("dashboard: %s on group %d: %s", action, group.id, "done" if outcome.ok else "refused")
        visitor.row.notice = outcome.text
        queued.append(outcome.queued)
        return see_other(f"/dashboard/groups/{group.id}#actions")

    async def _outcome(self, session: AsyncSession, group: Group, action: str,
                       form: dict[str, str]) -> actions.Outcome:
        content, now = self.content, self.now()
        if action == "push":
            return await actions.push_lesson(session, content, group, form.get("lesson", ""), now)
        stop = form.get("stop") == "1"
        if action == "schedule":
            return actions.stop_schedule(group) if stop else actions.set_schedule(
                content, group, form.get("time", ""), form.get("zone", ""), form.get("track", ""), now)
        return actions.stop_digest(group) if stop else actions.set_digest(
            group, form.get("weekday", ""), form.get("time", ""))


def see_other(location: str) -> web.Response:
    """After a form: the browser loads `location` with GET, so reloading repeats nothing."""
    return web.Response(status=303, headers={**HEADERS, "Location": location})


def dashboard_routes(app: App) -> list[Route]:
    """The dashboard's routes for the shared HTTP server; none while it is switched off."""
    if not app.settings.public_url:
        return []
    return Dashboard(app.sessions, app.clock, app.content, app.queued, app.settings).routes()
