FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    COACHBOT_DATA_DIR=/data \
    COACHBOT_CONTENT_DIR=/app/content

WORKDIR /app
COPY pyproject.toml README.md ./
COPY coachbot ./coachbot
COPY adapters ./adapters
COPY content ./content
RUN pip install ".[telegram,slack,postgres]" \
    && useradd --create-home --uid 10001 coach \
    && mkdir -p /data && chown coach:coach /data

USER coach
VOLUME ["/data"]
EXPOSE 8080
CMD ["coachbot", "run"]
