"""What a claimed outbox row asks the platform to do: the ``Outbound`` its sender is given.

A platform's messaging window (its traits' ``window``) is checked here, before any call: a
direct reply outside it is refused, or goes with the window's tag where the account may use it.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from inbox import platforms
from inbox.accounts.directory import AccountKeys
from inbox.channels import Refused
from inbox.db import unit_of_work
from inbox.events import ThreadKind
from inbox.outbound import AccountAuth, Outbound, OutboundAction
from inbox.outbox import store
from inbox.outbox.store import Claimed
from inbox.platforms import MessagingWindow
from inbox.types import utcnow


async def build(engine: AsyncEngine, item: Claimed, account: AccountKeys) -> Outbound:
    """The platform call a row asks for, with its account's credentials."""
    r = item.request
    if r.defect is not None:
        raise Refused(r.defect)
    tag = None
    traits = platforms.find(str(account.channel))
    if (
        traits is not None
        and traits.window is not None
        and item.action == OutboundAction.SEND
        and r.thread_kind is ThreadKind.DIRECT
    ):
        tag = await _window_tag(engine, item, account, traits.window)
    return Outbound(
        outbox_id=item.id,
        idempotency_key=item.idempotency_key,
        account=AccountAuth.of(account),
        action=OutboundAction(item.action),
        thread_kind=r.thread_kind,
        peer_id=r.peer_id,
        text=r.text,
        target_external_id=r.target_external_id,
        post_id=r.post_id,
        recipient_id=r.recipient_id,
        private=r.private,
        messaging_tag=tag,
        url=r.url,
        body=r.body.encode() if r.body is not None else None,
        secret=r.secret,
        buttons=r.buttons,
    )


async def _window_tag(
    engine: AsyncEngine, item: Claimed, account: AccountKeys, window: MessagingWindow
) -> str | None:
    """The tag a reply needs past the open part of the window; Refused outside it."""
    contact_id = item.request.contact_id
    last = None
    if contact_id is not None:
        async with unit_of_work(engine, writer=False) as conn:
            last = await store.last_inbound_at(conn, item.account_id, contact_id)
    return window.reply_tag(last, account.options or {}, utcnow())
