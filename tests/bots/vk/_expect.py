"""Builders for the expected events, so each table row states only what differs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bots.channel_names import Channel
from inbox.events import (
    Attachment,
    Author,
    Direction,
    EventKind,
    InboundEvent,
    PostRef,
    Thread,
    ThreadKind,
)

GROUP = "229876543"
COMMUNITY = -229876543
USER = 512345678
OTHER_USER = 498765432
ADMIN = 611223344
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ts(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def dm(peer_id: int) -> Thread:
    return Thread(kind=ThreadKind.DIRECT, key=f"dm:{peer_id}", peer_id=str(peer_id))


def on_post(post_key: str, commenter: int, parent: str | None = None) -> Thread:
    url = f"https://vk.com/{post_key}" if post_key.startswith("wall") else None
    return Thread(
        kind=ThreadKind.COMMENT,
        key=f"comment:{post_key}:{commenter}",
        peer_id=post_key,
        post=PostRef(id=post_key, url=url),
        parent_comment_id=parent,
    )


def event(
    event_type: str,
    kind: EventKind,
    thread: Thread,
    author: int,
    external_id: str,
    platform_ts: datetime,
    *,
    direction: Direction = Direction.IN,
    text: str = "",
    attachments: tuple[Attachment, ...] = (),
    **rest: Any,
) -> InboundEvent:
    return InboundEvent(
        channel=Channel.VK,
        account_external_id=GROUP,
        kind=kind,
        event_type=event_type,
        thread=thread,
        author=Author(id=str(author), display_name=""),
        external_id=external_id,
        platform_ts=platform_ts,
        direction=direction,
        text=text,
        attachments=attachments,
        **rest,
    )
