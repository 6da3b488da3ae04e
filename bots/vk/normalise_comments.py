"""Comments on the community's wall, photos, videos, discussion board and market items.

All five surfaces share one shape, so each is described once by a :class:`Surface` and the
``*_new/edit/restore/delete`` handlers are generated from it. A comment thread is the post
plus the commenter (``comment:<post>:<from_id>``), so every commenter under a post gets a
conversation of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from bots.vk._fields import opt_int, opt_list, opt_str, req_date, req_int
from bots.vk.attachments import parse_attachments
from bots.vk.envelope import Envelope
from inbox.events import (
    AnomalousPayload,
    Author,
    Direction,
    EventKind,
    InboundEvent,
    PostRef,
    Thread,
    ThreadKind,
)

_WHERE = "object"


def _first_int(obj: Mapping[str, Any], keys: tuple[str, ...]) -> int:
    for key in keys:
        value = opt_int(obj, key, _WHERE)
        if value is not None:
            return value
    raise AnomalousPayload(f"{_WHERE}: expected an integer in one of {', '.join(keys)}")


@dataclass(frozen=True, slots=True)
class Surface:
    """Where comments live; the first key present wins (delete events name fields differently)."""

    name: str  # external ids are "<name>_comment<owner>_<id>"
    post_prefix: str  # post keys are "<post_prefix><owner>_<item>"
    owner_keys: tuple[str, ...]
    item_keys: tuple[str, ...]
    linkable: bool = False  # vk.com/<post key> opens the post

    def owner(self, obj: Mapping[str, Any]) -> int:
        return _first_int(obj, self.owner_keys)

    def post_key(self, obj: Mapping[str, Any], owner: int) -> str:
        return f"{self.post_prefix}{owner}_{_first_int(obj, self.item_keys)}"

    def comment_id(self, owner: int, comment: int) -> str:
        return f"{self.name}_comment{owner}_{comment}"

    def thread(self, post_key: str, commenter: int, parent: str | None) -> Thread:
        url = f"https://vk.com/{post_key}" if self.linkable else None
        return Thread(
            kind=ThreadKind.COMMENT,
            key=f"comment:{post_key}:{commenter}",
            peer_id=post_key,
            post=PostRef(id=post_key, url=url),
            parent_comment_id=parent,
        )


WALL = Surface("wall", "wall", ("owner_id", "post_owner_id"), ("post_id",), linkable=True)
PHOTO = Surface("photo", "photo", ("photo_owner_id", "owner_id"), ("photo_id",))
VIDEO = Surface("video", "video", ("video_owner_id", "owner_id"), ("video_id",))
BOARD = Surface("board", "topic", ("topic_owner_id",), ("topic_id",))
# market_comment_new/edit name the item "photo_id" (schema); market_comment_delete "item_id".
MARKET = Surface("market", "market", ("market_owner_id", "owner_id"), ("item_id", "photo_id"))


def _direction(author_id: int) -> Direction:
    """Negative ids are communities: a comment by the community itself is ours."""
    return Direction.OUT if author_id < 0 else Direction.IN


def _parent(surface: Surface, obj: Mapping[str, Any], owner: int) -> str | None:
    parent = opt_int(obj, "reply_to_comment", _WHERE)
    if parent is None:
        stack = opt_list(obj, "parents_stack", _WHERE)
        if stack and (isinstance(stack[-1], bool) or not isinstance(stack[-1], int)):
            raise AnomalousPayload(f"{_WHERE}.parents_stack: expected integers")
        parent = stack[-1] if stack else None
    return None if parent is None else surface.comment_id(owner, parent)


def comment(surface: Surface, kind: EventKind, env: Envelope) -> InboundEvent:
    """A full comment object: ``*_new``, ``*_edit`` and ``*_restore``."""
    obj = env.obj
    owner = surface.owner(obj)
    from_id = req_int(obj, "from_id", _WHERE)
    post_key = surface.post_key(obj, owner)
    return env.event(
        kind=kind,
        thread=surface.thread(post_key, from_id, _parent(surface, obj, owner)),
        author=Author(id=str(from_id)),
        external_id=surface.comment_id(owner, req_int(obj, "id", _WHERE)),
        platform_ts=req_date(obj, "date", _WHERE),
        direction=_direction(from_id),
        text=opt_str(obj, "text", _WHERE) or "",
        attachments=parse_attachments(obj, _WHERE),
    )


def deleted_comment(surface: Surface, env: Envelope) -> InboundEvent:
    """``*_delete`` carries ids only: no date (``_received_at`` stands in) and no text.

    The author is whoever deleted it; ``board_post_delete`` names nobody, so the topic owner
    stands in. The store matches deletes by ``external_id`` alone, so the thread key matters
    little here.
    """
    obj = env.obj
    owner = surface.owner(obj)
    deleter = opt_int(obj, "deleter_id", _WHERE)
    if deleter is None:
        deleter = opt_int(obj, "user_id", _WHERE)
    author_id = owner if deleter is None else deleter
    return env.event(
        kind=EventKind.DELETE,
        thread=surface.thread(surface.post_key(obj, owner), author_id, None),
        author=Author(id=str(author_id)),
        external_id=surface.comment_id(owner, req_int(obj, "id", _WHERE)),
        platform_ts=env.received_at,
        direction=_direction(author_id),
    )


def _handlers(prefix: str, surface: Surface) -> dict[str, Callable[[Envelope], InboundEvent]]:
    return {
        f"{prefix}_new": partial(comment, surface, EventKind.MESSAGE),
        f"{prefix}_edit": partial(comment, surface, EventKind.EDIT),
        f"{prefix}_restore": partial(comment, surface, EventKind.MESSAGE),
        f"{prefix}_delete": partial(deleted_comment, surface),
    }


COMMENT_HANDLERS: dict[str, Callable[[Envelope], InboundEvent]] = {
    **_handlers("wall_reply", WALL),
    **_handlers("photo_comment", PHOTO),
    **_handlers("video_comment", VIDEO),
    **_handlers("board_post", BOARD),
    **_handlers("market_comment", MARKET),
}
