"""Instagram: DMs reuse the Messenger handlers; ``comments`` changes are IG's own shape.

IG names the read receipt ``messaging_seen`` and delivers echoes under ``messages``; the
echo still gets the event name ``message_echoes`` so both platforms read the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bots.facebook.dispatch import Handler, ItemContext
from bots.facebook.fields import from_epoch_guess, ident, integer, obj, opt_ident, opt_str
from bots.facebook.normalise_messaging import (
    MESSENGER_ITEM_NAMES,
    acknowledge,
    classify,
    normalise_message,
    normalise_postback,
)
from inbox.events import (
    Author,
    Direction,
    EventKind,
    InboundEvent,
    PostRef,
    Thread,
    ThreadKind,
)

INSTAGRAM_ITEM_NAMES: Mapping[str, str] = {**MESSENGER_ITEM_NAMES, "read": "messaging_seen"}


def classify_instagram(item: Mapping[str, Any], where: str) -> str:
    return classify(item, where, INSTAGRAM_ITEM_NAMES)


def normalise_comment(ctx: ItemContext, change: Mapping[str, Any]) -> list[InboundEvent]:
    """A comment on the account's media; its time is the entry's (the value has none)."""
    vw = f"{ctx.where}.value"
    value = obj(change, "value", ctx.where)
    comment_id = ident(value, "id", vw)
    author = obj(value, "from", vw)
    author_id = ident(author, "id", f"{vw}.from")
    username = opt_str(author, "username", f"{vw}.from")
    media_id = ident(obj(value, "media", vw), "id", f"{vw}.media")
    entry_time = integer(ctx.entry, "time", "entry")
    event = ctx.event(
        kind=EventKind.MESSAGE,
        thread=Thread(
            kind=ThreadKind.COMMENT,
            key=f"comment:{media_id}:{author_id}",
            peer_id=comment_id,
            post=PostRef(id=media_id),
            parent_comment_id=opt_ident(value, "parent_id", vw),
        ),
        author=Author(id=author_id, display_name=username or "", username=username),
        external_id=comment_id,
        platform_ts=from_epoch_guess(entry_time, "entry.time"),
        direction=Direction.OUT if author_id == ctx.account_external_id else Direction.IN,
        text=opt_str(value, "text", vw) or "",
    )
    return [event]


INSTAGRAM_MESSAGING_HANDLERS: Mapping[str, Handler] = {
    "messages": normalise_message,
    "message_echoes": normalise_message,
    "messaging_postbacks": normalise_postback,
    "messaging_seen": acknowledge,
}
INSTAGRAM_CHANGE_HANDLERS: Mapping[str, Handler] = {"comments": normalise_comment}
