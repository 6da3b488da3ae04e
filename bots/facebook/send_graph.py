"""A minimal Graph API client for sending: one keep-alive httpx client per token, and Meta's
error envelope (``{"error": {code, error_subcode, ...}}``) translated into the outbox's four
kinds of failure.

The token travels in the ``Authorization: Bearer`` header rather than the ``access_token``
query parameter Graph also accepts, so it never appears in a logged URL (httpx logs request
URLs at INFO).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from enum import Enum
from typing import Any

import httpx

from inbox.channels import ChannelError, RateLimited, RecipientGone, Refused, TransientError

RATE_LIMIT_CODES = frozenset({4, 17, 32, 613})  # app, user, page, per-call rate limits
RATE_LIMIT_WAIT = 60.0  # seconds, when no header says how long
OUTSIDE_WINDOW = 2018278  # subcode: "message sent outside of allowed window"
NO_MATCHING_USER = 2018001
UNAVAILABLE = 1545041  # subcode of 551: "This person isn't available right now"
_NODE_ID = re.compile(r"[A-Za-z0-9_.-]+")


class CallKind(Enum):
    """What a call does, which decides what an error means."""

    MESSAGE = "message"  # Send API to a person
    PRIVATE_REPLY = "private_reply"  # Send API to a commenter, once per comment
    COMMENT = "comment"  # public reply, hide, delete


def node_path(node_id: str, edge: str = "") -> str:
    """``{node}/{edge}``; an id is interpolated into the URL path, so it is checked first."""
    if not _NODE_ID.fullmatch(node_id):
        raise Refused(f"{node_id!r} is not a Graph API object id")
    return f"{node_id}/{edge}" if edge else node_id


class GraphClient:
    def __init__(self, graph_base: str, version: str, *, timeout: float = 30.0) -> None:
        self._base = f"{graph_base.rstrip('/')}/{version.strip('/')}/"
        self._timeout = timeout
        self._clients: dict[str, httpx.AsyncClient] = {}

    async def call(
        self, token: str, method: str, path: str, kind: CallKind, body: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """One request; the parsed JSON object on success, an ``inbox.channels`` error if not."""
        try:
            response = await self._client(token).request(method, path, json=body)
        except httpx.TransportError as exc:
            raise TransientError(f"Graph API unreachable: {type(exc).__name__}") from exc
        try:
            data = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise TransientError(
                f"Graph API answered HTTP {response.status_code} with something that is not JSON"
            ) from None
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, Mapping):
            raise graph_error(response.status_code, error, response.headers, kind)
        if response.is_success and isinstance(data, dict):
            return data
        if response.status_code == 429:
            raise RateLimited(RATE_LIMIT_WAIT, "Graph API answered HTTP 429")
        if response.status_code >= 500:
            raise TransientError(f"Graph API answered HTTP {response.status_code}")
        raise Refused(f"Graph API answered HTTP {response.status_code} without an error")

    async def close(self) -> None:
        clients, self._clients = self._clients, {}
        for client in clients.values():
            await client.aclose()

    def _client(self, token: str) -> httpx.AsyncClient:
        client = self._clients.get(token)
        if client is None:
            client = self._clients[token] = httpx.AsyncClient(
                base_url=self._base,
                headers={"Authorization": f"Bearer {token}"},
                timeout=self._timeout,
            )
        return client


def graph_error(
    status: int, error: Mapping[str, Any], headers: Mapping[str, str], kind: CallKind
) -> ChannelError:
    """Meta's ``{"error": {"code", "error_subcode", "message", ...}}`` to an outbox error."""
    code = _int(error.get("code"))
    subcode = _int(error.get("error_subcode"))
    label = f"Meta error {code}" + (f"/{subcode}" if subcode else "")
    reason = f"{label}: {error.get('message', '')}"
    if code in RATE_LIMIT_CODES or 80000 <= code < 81000:  # 800xx: business use case limits
        return RateLimited(_retry_after(headers), reason)
    if code == 551 or subcode in (UNAVAILABLE, NO_MATCHING_USER):
        return RecipientGone(f"the person cannot be reached ({reason})")
    if subcode == OUTSIDE_WINDOW or (code == 10 and kind is not CallKind.COMMENT):
        if kind is CallKind.PRIVATE_REPLY:
            return Refused(f"one private reply per comment, within 7 days ({reason})")
        return RecipientGone(
            f"outside the 24-hour messaging window: the person must write first ({reason})"
        )
    if error.get("is_transient") is True or code in (1, 2) or status >= 500:
        return TransientError(reason)
    if code == 190:
        return Refused(f"the access token is invalid or expired; reconnect the account ({reason})")
    if 200 <= code < 300:
        return Refused(f"the token lacks a permission for this ({reason})")
    return Refused(reason)


def _retry_after(headers: Mapping[str, str]) -> float:
    """``Retry-After``, else the longest ``estimated_time_to_regain_access`` (minutes) in the
    business-use-case usage header, else a minute."""
    value = headers.get("retry-after", "")
    if value.isdigit():
        return float(value)
    try:
        usage = json.loads(headers.get("x-business-use-case-usage", "") or "{}")
    except json.JSONDecodeError:
        usage = {}
    minutes = [
        _int(entry.get("estimated_time_to_regain_access"))
        for entries in (usage.values() if isinstance(usage, dict) else ())
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict)
    ]
    longest = max(minutes, default=0)
    return float(longest * 60) if longest > 0 else RATE_LIMIT_WAIT


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
