"""The report's chart: lessons completed per day over the last four weeks, as a PNG."""

from __future__ import annotations

import io

from coachbot.groups.report import GroupReport


def charts_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def render_png(report: GroupReport) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    labels = [day.strftime("%d %b") for day, _ in report.per_day]
    counts = [count for _, count in report.per_day]
    figure = Figure(figsize=(8, 3.6), dpi=100)
    axes = figure.subplots()
    axes.bar(range(len(counts)), counts, color="#3b7dd8")
    axes.set_xticks(range(0, len(labels), 7), labels[::7])
    axes.set_title(f"{report.group}: lessons completed per day, last 4 weeks")
    axes.set_ylabel("lessons")
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
