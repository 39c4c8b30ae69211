"""The report's chart: lessons completed per day over the last four weeks, as a PNG."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from coachbot.groups.report import GroupReport

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def charts_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def build_figure(report: GroupReport) -> Figure:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels = [day.strftime("%d %b") for day, _ in report.per_day]
    counts = [count for _, count in report.per_day]
    figure = Figure(figsize=(8, 3.6), dpi=100)
    axes = figure.subplots()
    axes.bar(range(len(counts)), counts, color="#3b7dd8")
    axes.set_xticks(range(0, len(labels), 7), labels[::7])
    # Lessons are whole: ticks at integers only, and a zero line even when nothing was done.
    axes.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    axes.set_ylim(0, max([*counts, 1]) * 1.1)
    axes.set_title(f"{report.group}: lessons completed per day, last 4 weeks")
    axes.set_ylabel("lessons")
    axes.set_xlabel("each member's local day")
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return figure


def render_png(report: GroupReport) -> bytes:
    buffer = io.BytesIO()
    build_figure(report).savefig(buffer, format="png")
    return buffer.getvalue()
