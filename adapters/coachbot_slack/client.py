"""The Web API client: Slack's own, or any URL that speaks its API (a proxy, a local double)."""

from __future__ import annotations

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

# Waits up to this long are taken in place; a longer Retry-After goes back to the caller
# (the delivery dispatcher then holds back only that chat instead of blocking a worker).
MAX_INLINE_WAIT = 10.0
TIMEOUT = 30


def retry_after(response: HttpResponse | None) -> float | None:
    if response is None:
        return None
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return float(values[0])
            except ValueError:
                return None
    return None


class PatientRateLimitHandler(AsyncRateLimitErrorRetryHandler):
    """Honours a 429's Retry-After by waiting and trying once more, when the wait is short."""

    def __init__(self, max_wait: float = MAX_INLINE_WAIT) -> None:
        super().__init__(max_retry_count=1)
        self.max_wait = max_wait

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest,
                               response: HttpResponse | None = None,
                               error: Exception | None = None) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = retry_after(response)
        return wait is None or wait <= self.max_wait


def build_client(token: str, api_url: str) -> AsyncWebClient:
    handlers: list[AsyncRetryHandler] = [AsyncConnectionErrorRetryHandler(), PatientRateLimitHandler()]
    return AsyncWebClient(token=token, base_url=api_url, timeout=TIMEOUT, retry_handlers=handlers)
