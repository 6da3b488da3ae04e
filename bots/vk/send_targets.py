"""Read back the comment ids the normaliser wrote, and name the VK methods for each surface.

The normaliser encodes a post as ``<post_prefix><owner>_<item>`` (``wall-229876543_318``,
``topic-229876543_49251234``) and a comment as ``<name>_comment<owner>_<id>``
(:class:`~bots.vk.normalise_comments.Surface`); decoding here uses those same ``Surface``
values, so the two directions cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bots.vk.normalise_comments import BOARD, MARKET, PHOTO, VIDEO, WALL, Surface
from inbox.channels import Refused


@dataclass(frozen=True, slots=True)
class CommentApi:
    """How one surface's ``*.createComment`` / ``*.deleteComment`` want their arguments."""

    surface: Surface
    section: str  # the API section: wall, photos, video, board, market
    item_param: str  # post_id, photo_id, video_id, topic_id, item_id
    threaded: bool = True  # takes reply_to_comment (board topics do not)
    by_group: bool = False  # board methods name the community by its positive group_id

    @property
    def create_method(self) -> str:
        return f"{self.section}.createComment"

    @property
    def delete_method(self) -> str:
        return f"{self.section}.deleteComment"

    def owner_params(self, owner: int) -> dict[str, Any]:
        return {"group_id": -owner} if self.by_group else {"owner_id": owner}


WALL_API = CommentApi(WALL, "wall", "post_id")
PHOTO_API = CommentApi(PHOTO, "photos", "photo_id")
VIDEO_API = CommentApi(VIDEO, "video", "video_id")
BOARD_API = CommentApi(BOARD, "board", "topic_id", threaded=False, by_group=True)
MARKET_API = CommentApi(MARKET, "market", "item_id")
APIS = (WALL_API, PHOTO_API, VIDEO_API, BOARD_API, MARKET_API)

_POST = {api: re.compile(rf"{re.escape(api.surface.post_prefix)}(-?\d+)_(\d+)") for api in APIS}
_COMMENT = {api: re.compile(rf"{re.escape(api.surface.name)}_comment(-?\d+)_(\d+)") for api in APIS}


@dataclass(frozen=True, slots=True)
class PostRef:
    api: CommentApi
    owner: int
    item: int


@dataclass(frozen=True, slots=True)
class CommentRef:
    api: CommentApi
    owner: int
    comment: int


def parse_post(key: str) -> PostRef:
    """A comment thread's ``peer_id`` (the post key) to the surface, owner and item."""
    for api, pattern in _POST.items():
        match = pattern.fullmatch(key)
        if match:
            return PostRef(api, int(match[1]), int(match[2]))
    raise Refused(f"{key!r} is not a VK post, photo, video, topic or market item")


def parse_comment(external_id: str) -> CommentRef:
    """A comment's external id to the surface, owner and comment id."""
    for api, pattern in _COMMENT.items():
        match = pattern.fullmatch(external_id)
        if match:
            return CommentRef(api, int(match[1]), int(match[2]))
    raise Refused(f"{external_id!r} is not a VK comment id")


def reply_target(peer_id: str, target: str | None) -> tuple[PostRef, int | None]:
    """The post to comment on and, if any, the comment answered (which must sit under it)."""
    post = parse_post(peer_id)
    if target is None:
        return post, None
    comment = parse_comment(target)
    if comment.api is not post.api or comment.owner != post.owner:
        raise Refused(f"the comment {target} does not belong to {peer_id}")
    return post, comment.comment
