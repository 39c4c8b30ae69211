"""What `/metrics` reports, in the Prometheus text format (prometheus-client).

Counters and histograms are updated where things happen; the outbox's rows by status are
counted from the database when the endpoint is scraped.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest

MESSAGES = Counter("coachbot_messages", "Scheduled messages by how their send ended "
                   "(sent, failed, uncertain, retried, skipped).", ["platform", "kind", "outcome"])
RATE_LIMITED = Counter("coachbot_rate_limited", "Answers of 429 from a platform, by whether they "
                       "held back one chat or the whole platform.", ["platform", "scope"])
RETRY_AFTER = Counter("coachbot_retry_after_seconds", "Seconds of retry-after the platforms asked for.",
                      ["platform"])
OUTBOX_ROWS = Gauge("coachbot_outbox_rows", "Outbox rows by status, as of the last scrape.", ["status"])
PLANNING = Histogram("coachbot_planning_seconds", "Time one planning pass took.")
DISPATCH = Histogram("coachbot_dispatch_seconds", "Time one dispatch pass took.",
                     buckets=(0.05, 0.25, 1, 5, 30, 120, 600, 1800, float("inf")))
INBOUND = Counter("coachbot_inbound_events", "Messages, commands and button presses handled.",
                  ["platform"])
PRUNED = Counter("coachbot_pruned_rows", "Old rows removed by retention.", ["table"])


def render() -> tuple[bytes, str]:
    """The current figures and their content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
