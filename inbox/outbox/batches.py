"""Which claimed rows go out together: a newsletter's direct messages to many people of one
account, with the same text and buttons, where the platform's traits say one call carries many
recipients (``max_batch``, e.g. VK's ``peer_ids``). Everything else is sent one call per row.

A chunk that was already tried keeps its call's random_id (written on its rows before the
call as ``batch:<n>``), so after a crash the same peers are sent the same call again, which a
platform that batches drops as a repeat; new chunks take theirs from their first row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from inbox.events import ThreadKind
from inbox.outbox.store import Claimed

MARKER = "batch:"
OLD_MARKER = "vk-batch:"  # written by earlier versions: such a chunk keeps its random_id too


def marker(random_id: int) -> str:
    return f"{MARKER}{random_id}"


def _marker(item: Claimed) -> str | None:
    found = item.external_id
    if found and found.startswith(OLD_MARKER):
        return MARKER + found[len(OLD_MARKER) :]
    return found if found and found.startswith(MARKER) else None


def split_batches(
    items: list[Claimed], batch_size: Callable[[int], int]
) -> tuple[list[list[Claimed]], list[Claimed]]:
    """``(chunks to send in one call each, rows to send one by one)``; ``batch_size`` gives an
    account's recipients per call (1: no batches)."""
    groups: dict[tuple[Any, ...], list[Claimed]] = {}
    singles: list[Claimed] = []
    limits: dict[int, int] = {}
    for item in items:
        r = item.request
        size = batch_size(item.account_id) if r.campaign_id is not None else 1
        if size < 2 or r.thread_kind is not ThreadKind.DIRECT:
            singles.append(item)
            continue
        limits[item.account_id] = size
        key = (item.account_id, r.campaign_id, r.text, r.buttons, r.defect, _marker(item))
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
        found = _marker(item)
        if found is not None:
            return int(found[len(MARKER) :])
    first = min(item.id for item in items)
    digest = hashlib.sha256(f"omnibox-batch:{first}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF or 1
