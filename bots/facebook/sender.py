"""Deliver outbox items to Facebook Pages and Instagram accounts through the Graph API.

Both speak the Graph API and differ only in edge names: a public reply is ``/comments`` on
Facebook and ``/replies`` on Instagram, hiding is ``is_hidden`` versus ``hide``. Messages go
to ``/me/messages`` with the account's token: on ``graph.facebook.com`` with a Page token
``me`` is the Page (for Messenger and for Instagram linked to it), on ``graph.instagram.com``
with an Instagram token it is the IG account, so one path serves both logins.

The answer's id is what the webhook later reports for the same item: the Send API's
``message_id`` is the echo's ``mid``, a reply's ``id`` is the feed/comments event's
comment id.

Buttons go on Send API messages (direct, and private replies) as ``quick_replies``, labels cut
to Meta's 20 characters; a tapped one comes back as a ``messages`` event with
``message.quick_reply.payload``. A public reply to a comment is not a message and cannot carry
them, so it is sent without.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bots.channel_names import Channel
from bots.facebook.send_graph import CallKind, GraphClient, node_path
from inbox.channels import ChannelError, Refused
from inbox.events import ThreadKind
from inbox.outbound import Button, Delivered, Outbound, OutboundAction

if TYPE_CHECKING:
    from inbox.outbound import ChannelSender

QUICK_REPLY_TITLE = 20  # characters Meta shows of a quick reply's title
QUICK_REPLIES = 13  # at most, per message


@dataclass(frozen=True, slots=True)
class _Dialect:
    name: str
    text_limit: int  # Send API text
    reply_edge: str
    hide_field: str


_FACEBOOK = _Dialect("Messenger", 2000, "comments", "is_hidden")
_INSTAGRAM = _Dialect("Instagram", 1000, "replies", "hide")


class _MetaSender:
    channel: Channel
    _dialect: _Dialect

    def __init__(self, graph_base: str, version: str, *, timeout: float = 30.0) -> None:
        self._graph = GraphClient(graph_base, version, timeout=timeout)

    async def deliver(self, item: Outbound) -> Delivered:
        if item.action is OutboundAction.SEND:
            if not item.text.strip():
                raise Refused("nothing to send: the text is empty")
            if item.thread_kind is ThreadKind.DIRECT:
                return await self._message(item, {"id": item.peer_id}, CallKind.MESSAGE)
            target = item.target_external_id or item.peer_id
            if item.private:
                return await self._message(item, {"comment_id": target}, CallKind.PRIVATE_REPLY)
            return await self._reply(item, target)
        if item.thread_kind is ThreadKind.DIRECT:
            raise Refused(f"{self._dialect.name} direct messages cannot be hidden or deleted")
        target = node_path(item.target_external_id or item.peer_id)
        if item.action is OutboundAction.DELETE:
            await self._call(item, "DELETE", target, None, CallKind.COMMENT)
        else:
            hidden = item.action is OutboundAction.HIDE
            await self._call(
                item, "POST", target, {self._dialect.hide_field: hidden}, CallKind.COMMENT
            )
        return Delivered()

    async def deliver_batch(
        self, items: Sequence[Outbound], random_id: int
    ) -> list[Delivered | ChannelError]:
        """Never asked: Meta's traits declare no batches (one recipient per Send API call)."""
        raise Refused(f"{self._dialect.name} sends one message per call")

    async def close(self) -> None:
        await self._graph.close()

    async def _message(
        self, item: Outbound, recipient: dict[str, str], kind: CallKind
    ) -> Delivered:
        limit = self._dialect.text_limit
        if len(item.text) > limit:
            raise Refused(
                f"text is {len(item.text)} characters; {self._dialect.name} takes at most {limit}"
            )
        message: dict[str, Any] = {"text": item.text}
        if item.buttons:
            message["quick_replies"] = _quick_replies(item.buttons)
        body: dict[str, Any] = {"recipient": recipient, "message": message}
        if kind is CallKind.MESSAGE:
            body["messaging_type"] = "MESSAGE_TAG" if item.messaging_tag else "RESPONSE"
            if item.messaging_tag:
                body["tag"] = item.messaging_tag
        answer = await self._call(item, "POST", "me/messages", body, kind)
        return Delivered(_id(answer, "message_id"))

    async def _reply(self, item: Outbound, target: str) -> Delivered:
        path = node_path(target, self._dialect.reply_edge)
        answer = await self._call(item, "POST", path, {"message": item.text}, CallKind.COMMENT)
        return Delivered(_id(answer, "id"))

    async def _call(
        self, item: Outbound, method: str, path: str, body: dict[str, Any] | None, kind: CallKind
    ) -> dict[str, Any]:
        return await self._graph.call(item.account.token, method, path, kind, body)


class FacebookSender(_MetaSender):
    """A Facebook Page: Messenger messages, private replies, and its posts' comments."""

    channel = Channel.FACEBOOK
    _dialect = _FACEBOOK


class InstagramSender(_MetaSender):
    """An Instagram professional account: DMs, private replies, and its media's comments."""

    channel = Channel.INSTAGRAM
    _dialect = _INSTAGRAM


def _quick_replies(buttons: tuple[Button, ...]) -> list[dict[str, str]]:
    return [
        {"content_type": "text", "title": b.text[:QUICK_REPLY_TITLE], "payload": b.payload}
        for b in buttons[:QUICK_REPLIES]
    ]


def _id(answer: dict[str, Any], key: str) -> str | None:
    """A success without the id still means it went out: retrying would send it twice."""
    value = answer.get(key)
    return value if isinstance(value, str) and value else None


if TYPE_CHECKING:
    _facebook: ChannelSender = FacebookSender("https://graph.facebook.com", "v25.0")
    _instagram: ChannelSender = InstagramSender("https://graph.facebook.com", "v25.0")
