FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    COACHBOT_DATA_DIR=/data \
    COACHBOT_CONTENT_DIR=/app/content \
    COACHBOT_HTTP_PORT=8080

WORKDIR /app
COPY pyproject.toml README.md ./
COPY coachbot ./coachbot
COPY adapters ./adapters
COPY content ./content
RUN pip install ".[telegram,slack,postgres,redis]" \
    && useradd --create-home --uid 10001 coach \
    && mkdir -p /data && chown coach:coach /data

# Never root: the bot needs nothing of the kind, only /data when it uses SQLite.
USER coach
VOLUME ["/data"]
# Webhooks (Telegram, Slack's HTTP mode), /healthz, /readyz and /metrics.
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["coachbot", "healthcheck"]
CMD ["coachbot", "run"]
