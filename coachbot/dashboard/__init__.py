"""The mentors' dashboard: signed sign-in links, sessions, and pages under /dashboard.

`access` and `command` are plain core code (no web library); `web` serves the pages on the
process's aiohttp server and is imported only when the dashboard is switched on.
"""
