"""VK failures, translated into the outbox's four kinds; and the plumbing that keeps vkbottle
from retrying on its own.

VK reports errors three ways: an ``{"error": ...}`` envelope (vkbottle raises
``VKAPIError[code]``), a per-recipient ``error`` inside a ``peer_ids`` send (no exception at
all), and plain HTTP trouble. vkbottle's default ``BlockingRequestRescheduler`` retries a
non-JSON answer forever (sleeping 5 s longer each time), and its HTTP client ignores the
status code: the outbox must see both as one failed attempt, so :class:`NoReschedule` and
:class:`VkHttpClient` raise instead.
"""

from __future__ import annotations

from typing import Any

from vkbottle.api.request_rescheduler import ABCRequestRescheduler
from vkbottle.http import AiohttpClient

from inbox.channels import ChannelError, RateLimited, RecipientGone, Refused, TransientError

# VK API error codes. Seconds to wait: 6 is per-second, 9 is flood control on repeated
# content, 29 a per-method daily quota, 14 a captcha we have nobody to solve.
RATE_LIMITS: dict[int, float] = {6: 1.0, 9: 60.0, 14: 60.0, 29: 3600.0}
TRANSIENT = frozenset({1, 10})  # unknown error, internal server error
# 18 deleted/banned user, 900 blacklisted us, 901 no permission, 902 privacy settings.
GONE = frozenset({18, 900, 901, 902})
HINTS: dict[int, str] = {
    9: "VK flood control: too many identical messages",
    14: "VK asks for a captcha; slow down",
    901: "the person has not allowed messages from the community",
    902: "the person's privacy settings forbid messages from the community",
    900: "the person has blacklisted the community",
    914: "the message is too long",
    950: "the reply window has closed",
}


def vk_error(code: int, message: str) -> ChannelError:
    """A VK error code (from either envelope) to the error the outbox acts on."""
    reason = f"VK error {code}: {message}"
    if code in HINTS:
        reason = f"{HINTS[code]} ({reason})"
    if code in RATE_LIMITS:
        return RateLimited(RATE_LIMITS[code], reason)
    if code in TRANSIENT:
        return TransientError(reason)
    if code in GONE:
        return RecipientGone(reason)
    # 914, 917, 945, 946, 950, 212, 213, 222, 223, 5, 15, 100, ...: this item will not go.
    return Refused(reason)


class NoReschedule(ABCRequestRescheduler):
    """Called by vkbottle when VK's answer is not JSON: fail this attempt, do not loop."""

    async def reschedule(
        self, ctx_api: Any, method: str, data: dict[str, Any], recent_response: Any
    ) -> dict[str, Any]:
        raise TransientError(f"VK answered {method} with something that is not JSON")


class VkHttpClient(AiohttpClient):
    """vkbottle's aiohttp client, one per token (not its process-wide singleton, so
    ``close`` is ours), that turns HTTP-level trouble into outbox errors."""

    async def request_text(
        self, url: str, method: str = "GET", data: dict[str, Any] | None = None, **kwargs: Any
    ) -> str:
        async with self.request(url, method, data, **kwargs) as response:
            text: str = await response.text(encoding="UTF-8")
            status: int = response.status
            retry_after = response.headers.get("Retry-After", "")
        if status == 429:
            wait = float(retry_after) if retry_after.isdigit() else 1.0
            raise RateLimited(wait, f"VK answered HTTP 429, retry after {wait:g}s")
        if status >= 500:
            raise TransientError(f"VK answered HTTP {status}")
        return text
