"""Announce only what committed: events wait on the transaction and go out after it.

A request's code calls :func:`after_commit` wherever it changes something; whoever owns the
transaction (the API's per-request session) calls :func:`publish_committed` once the commit
succeeded. A rollback simply drops the session, and with it the pending events.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from inbox.live.bus import LiveBus
from inbox.live.events import LiveEvent

log = logging.getLogger("omnibox.live")

_PENDING = "omnibox.live.pending"


def after_commit(session: AsyncSession, event: LiveEvent) -> None:
    """Queue ``event`` to be published when ``session``'s transaction commits (once)."""
    pending: list[LiveEvent] = session.info.setdefault(_PENDING, [])
    if event not in pending:
        pending.append(event)


def take_pending(session: AsyncSession) -> list[LiveEvent]:
    pending: list[LiveEvent] = session.info.pop(_PENDING, [])
    return pending


async def publish_committed(session: AsyncSession, bus: LiveBus | None) -> None:
    """Call after the commit: publish what the transaction queued."""
    events = take_pending(session)
    await publish_quietly(bus, events)


async def publish_quietly(bus: LiveBus | None, events: Iterable[LiveEvent]) -> None:
    """The data is already committed: a live-event failure must not fail the caller."""
    batch = list(events)
    if bus is None or not batch:
        return
    try:
        await bus.publish(*batch)
    except Exception as exc:
        log.warning("could not publish %d live event(s): %s", len(batch), exc)
