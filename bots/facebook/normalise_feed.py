"""Page ``feed`` changes: comments on the Page's posts.

Each commenter under a post gets their own conversation (``comment:<post>:<author>``); a
public reply goes under the comment itself, so the comment id is the thread's ``peer_id``.
The feed also reports posts, reactions, likes and hides: those are acknowledged as no-ops.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bots.facebook.dispatch import Handler, ItemContext
from bots.facebook.fields import (
    from_epoch_s,
    ident,
    integer,
    obj,
    opt_ident,
    opt_obj,
    opt_str,
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

_VERBS: Mapping[str, EventKind] = {
    "add": EventKind.MESSAGE,
    "edited": EventKind.EDIT,
    "remove": EventKind.DELETE,
}


def normalise_feed(ctx: ItemContext, change: Mapping[str, Any]) -> list[InboundEvent]:
    vw = f"{ctx.where}.value"
    value = obj(change, "value", ctx.where)
    if opt_str(value, "item", vw) != "comment":
        return []
    kind = _VERBS.get(opt_str(value, "verb", vw) or "")
    if kind is None:  # hide, unhide and whatever Meta adds next
        return []
    comment_id = ident(value, "comment_id", vw)
    post_id = ident(value, "post_id", vw)
    parent_id = opt_ident(value, "parent_id", vw)
    author = obj(value, "from", vw)
    author_id = ident(author, "id", f"{vw}.from")
    post = opt_obj(value, "post", vw)
    event = ctx.event(
        kind=kind,
        thread=Thread(
            kind=ThreadKind.COMMENT,
            key=f"comment:{post_id}:{author_id}",
            peer_id=comment_id,
            post=PostRef(
                id=post_id,
                url=opt_str(post, "permalink_url", f"{vw}.post") if post else None,
            ),
            # A top-level comment names the post as its parent: that is no comment to answer.
            parent_comment_id=parent_id if parent_id != post_id else None,
        ),
        author=Author(id=author_id, display_name=opt_str(author, "name", f"{vw}.from") or ""),
        external_id=comment_id,
        platform_ts=from_epoch_s(integer(value, "created_time", vw), f"{vw}.created_time"),
        # The Page's own comments (typed in the native UI or by us) come back too.
        direction=Direction.OUT if author_id == ctx.account_external_id else Direction.IN,
        text=opt_str(value, "message", vw) or "",
    )
    return [event]


FEED_HANDLERS: Mapping[str, Handler] = {"feed": normalise_feed}
