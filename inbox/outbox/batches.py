"""Which claimed rows go out together: a newsletter's direct messages to many people of one
account, with the same text and buttons, where the platform takes many recipients per call
(VK ``peer_ids``, up to 100). Everything else is sent one call per row.

A chunk that was already tried keeps its call's random_id (written on its rows before the
call as ``vk-batch:<n>``), so after a crash the same peers are sent the same call again,
which VK drops as a repeat; new chunks take theirs from their first row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from inbox.newsletters.delivery import CAMPAIGN_KEY
from inbox.outbound import BatchSender
from inbox.outbox.store import Claimed

MARKER = "vk-batch:"


def _marker(item: Claimed) -> str | None:
    found = item.external_id
    return found if found and found.startswith(MARKER) else None


def split_batches(
    items: list[Claimed], batch_sender: Callable[[int], BatchSender | None]
) -> tuple[list[list[Claimed]], list[Claimed]]:
    """``(chunks to send in one call each, rows to send one by one)``."""
    groups: dict[tuple[Any, ...], list[Claimed]] = {}
    singles: list[Claimed] = []
    limits: dict[int, int] = {}
    for item in items:
        sender = batch_sender(item.account_id) if CAMPAIGN_KEY in item.request else None
        if sender is None or item.request.get("thread_kind", "direct") != "direct":
            singles.append(item)
            continue
        limits[item.account_id] = sender.max_batch
        r = item.request
        key = (
            item.account_id,
            r[CAMPAIGN_KEY],
            r.get("text"),
            json.dumps(r.get("buttons"), sort_keys=True),
            _marker(item),
        )
        groups.setdefault(key, []).append(item)
    chunks: list[list[Claimed]] = []
    for key, rows in groups.items():
        size = limits[key[0]]
        rows.sort(key=lambda c: c.id)
        chunks.extend(rows[n : n + size] for n in range(0, len(rows), size))
    return chunks, singles


def batch_random_id(items: list[Claimed]) -> int:
    """The call's random_id: the one the chunk was tried with before, else from its first
    row (stable, non-zero int32)."""
    for item in items:
        marker = _marker(item)
        if marker is not None:
            return int(marker[len(MARKER) :])
    first = min(item.id for item in items)
    digest = hashlib.sha256(f"omnibox-batch:{first}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF or 1
