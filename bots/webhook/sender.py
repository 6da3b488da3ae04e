"""POST a rule's event to an admin's URL, signed so the receiver can trust it.

The signature is ``X-Omnibox-Signature: sha256=<hex HMAC-SHA256 of the raw body>`` with the
rule's secret (the scheme Meta uses for its own webhooks), and ``X-Omnibox-Delivery`` carries
the outbox key, so a receiver can drop the rare repeat after a crash.
"""

from __future__ import annotations

import hashlib
import hmac

import httpx

from inbox.channels import Refused, TransientError
from inbox.outbound import Delivered, Outbound


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookSender:
    def __init__(self, *, timeout: float = 10.0) -> None:
        self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)

    async def deliver(self, item: Outbound) -> Delivered:
        if not item.url or item.body is None:
            raise Refused("a webhook needs a URL and a body")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "omnibox-webhook",
            "X-Omnibox-Delivery": item.idempotency_key,
        }
        if item.secret:
            headers["X-Omnibox-Signature"] = signature(item.secret, item.body)
        try:
            response = await self._client.post(item.url, content=item.body, headers=headers)
        except httpx.HTTPError as exc:
            raise TransientError(f"webhook {item.url} unreachable: {exc!r}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise TransientError(f"webhook {item.url} answered {response.status_code}")
        if response.status_code >= 400:
            raise Refused(f"webhook {item.url} answered {response.status_code}")
        return Delivered()

    async def close(self) -> None:
        await self._client.aclose()
