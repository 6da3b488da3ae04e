"""What a claimed outbox row asks the platform to do: the ``Outbound`` its sender is given.

Meta's messaging window is checked here, before any call: a page may answer within 24 h of
the customer's last message (7 days with the human-agent tag, where the page is allowed to).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.channels import Refused
from inbox.db import transact
from inbox.events import Channel, ThreadKind
from inbox.outbound import AccountAuth, Outbound, OutboundAction, buttons_from_json
from inbox.outbox import store
from inbox.outbox.store import Claimed
from inbox.types import utcnow

META_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)


async def build(engine: AsyncEngine, item: Claimed, account: Any) -> Outbound:
    """The platform call a row asks for, with its account's credentials."""
    r = item.request
    tag = None
    if (
        account.channel in (Channel.FACEBOOK, Channel.INSTAGRAM)
        and item.action == OutboundAction.SEND
        and r.get("thread_kind") == ThreadKind.DIRECT
    ):
        tag = await _meta_window(engine, item, account)
    try:
        buttons = buttons_from_json(r.get("buttons"))
    except ValueError as exc:
        raise Refused(f"the stored buttons cannot be sent: {exc}") from exc
    return Outbound(
        outbox_id=item.id,
        idempotency_key=item.idempotency_key,
        account=AccountAuth.of(account),
        action=OutboundAction(item.action),
        thread_kind=ThreadKind(r.get("thread_kind", ThreadKind.DIRECT)),
        peer_id=str(r.get("peer_id", "")),
        text=str(r.get("text", "")),
        target_external_id=r.get("target_external_id"),
        post_id=r.get("post_id"),
        recipient_id=r.get("recipient_id"),
        private=bool(r.get("private", False)),
        messaging_tag=tag,
        url=r.get("url"),
        body=r["body"].encode() if isinstance(r.get("body"), str) else None,
        secret=r.get("secret"),
        buttons=buttons,
    )


async def _meta_window(engine: AsyncEngine, item: Claimed, account: Any) -> str | None:
    """Meta lets a page answer within 24 h of the customer's last message (7 days for a
    human agent, where the page is allowed to). Refuse before the call otherwise."""
    contact_id = item.request.get("contact_id")
    last = None
    if contact_id is not None:
        last = await transact(
            engine,
            lambda conn: store.last_inbound_at(conn, item.account_id, int(contact_id)),
        )
    age = None if last is None else utcnow() - last
    if age is not None and age <= META_WINDOW:
        return None
    if (
        age is not None
        and age <= HUMAN_AGENT_WINDOW
        and (account.options or {}).get("allow_human_agent")
    ):
        return "HUMAN_AGENT"
    when = "never" if last is None else f"at {last:%Y-%m-%d %H:%M} UTC"
    raise Refused(
        f"outside Meta's 24-hour window: the customer last wrote {when}; Meta allows "
        "replies only within 24 hours (7 days with the human-agent tag, if enabled)"
    )
