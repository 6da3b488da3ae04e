"""Deliver outbox items to VK through vkbottle (``messages.send``, ``*.createComment``).

One vkbottle ``API`` per token (community token for sending, the admin's user token for
deleting comments), each with its own HTTP session and ``API_URL`` pointed at the configured
base, made on first use and kept until :meth:`VkSender.close`.

VK deduplicates for us, so retries of one outbox row are safe: ``messages.send`` gets a
``random_id`` derived from ``outbox_id`` and ``*.createComment`` the row's idempotency key as
``guid``. Answers come back in the normaliser's id formats: ``msg:<peer>:<cmid>`` for
messages (``message_reply`` echoes carry the same pair), ``<surface>_comment<owner>_<id>``
for comments.

Buttons go on messages (direct, and private replies to a commenter) as an inline keyboard
(:mod:`bots.vk.keyboard`); a comment cannot carry a keyboard, so a public reply is sent without
them rather than fail.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import aiohttp
from vkbottle import VKAPIError
from vkbottle.api import API

from bots.channel_names import Channel
from bots.vk.keyboard import keyboard_json
from bots.vk.normalise_messages import message_external_id
from bots.vk.send_errors import NoReschedule, VkHttpClient, vk_error
from bots.vk.send_targets import WALL_API, parse_comment, parse_post, reply_target
from bots.vk.traits import PEER_IDS_LIMIT, USER_TOKEN_OPTION
from inbox.channels import ChannelError, Refused, TransientError
from inbox.events import ThreadKind
from inbox.outbound import Delivered, Outbound, OutboundAction

if TYPE_CHECKING:
    from inbox.outbound import ChannelSender

TEXT_LIMIT = 4096  # messages.send; vkbottle splits longer answers at this length
DELETE_NEEDS_ADMIN = "VK deletes comments only with an admin user token; add one to the account"


def random_id(outbox_id: int) -> int:
    """A stable, non-zero int32 per outbox row: VK drops a repeat with the same random_id."""
    digest = hashlib.sha256(f"omnibox-outbox:{outbox_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF or 1


class VkSender:
    channel: Channel = Channel.VK

    def __init__(self, api_base: str, *, timeout: float = 30.0) -> None:
        self._url = api_base.rstrip("/") + "/method/"
        self._timeout = timeout
        self._apis: dict[str, API] = {}

    async def deliver(self, item: Outbound) -> Delivered:
        if item.action in (OutboundAction.HIDE, OutboundAction.UNHIDE):
            raise Refused("VK cannot hide a comment; delete it instead (needs an admin user token)")
        if item.action is OutboundAction.DELETE:
            return await self._delete(item)
        if not item.text.strip():
            raise Refused("nothing to send: the text is empty")
        if item.thread_kind is ThreadKind.DIRECT:
            return await self._message(item, item.peer_id)
        if item.private:
            if not item.recipient_id:
                raise Refused("a private reply to a VK comment needs the commenter's user id")
            return await self._message(item, item.recipient_id)
        return await self._comment(item)

    async def deliver_batch(
        self, items: Sequence[Outbound], random_id: int
    ) -> list[Delivered | ChannelError]:
        """One ``messages.send`` with ``peer_ids`` for a newsletter chunk (the same text for
        everyone): VK answers each peer on its own, a 901 for one does not fail the others."""
        if not items or len(items) > PEER_IDS_LIMIT:
            raise Refused(f"a VK batch takes 1 to {PEER_IDS_LIMIT} recipients, not {len(items)}")
        first = items[0]
        if not first.text.strip():
            raise Refused("nothing to send: the text is empty")
        if len(first.text) > TEXT_LIMIT:
            raise Refused(f"text is {len(first.text)} characters; VK takes at most {TEXT_LIMIT}")
        peers = [_int(item.peer_id, "the VK peer") for item in items]
        params: dict[str, Any] = {"peer_ids": peers, "message": first.text, "random_id": random_id}
        if first.buttons:
            params["keyboard"] = keyboard_json(first.buttons)
        response = await self._call(first.account.token, "messages.send", params)
        results = response if isinstance(response, list) else []
        by_peer = {r.get("peer_id"): r for r in results if isinstance(r, Mapping)}
        return [_peer_result(peer, by_peer.get(peer)) for peer in peers]

    async def close(self) -> None:
        apis, self._apis = self._apis, {}
        for api in apis.values():
            await api.http_client.close()

    async def _message(self, item: Outbound, peer: str) -> Delivered:
        if len(item.text) > TEXT_LIMIT:
            raise Refused(f"text is {len(item.text)} characters; VK takes at most {TEXT_LIMIT}")
        peer_id = _int(peer, "the VK peer")
        rid = random_id(item.outbox_id)
        params: dict[str, Any] = {"peer_ids": [peer_id], "message": item.text, "random_id": rid}
        if item.buttons:
            params["keyboard"] = keyboard_json(item.buttons)
        response = await self._call(item.account.token, "messages.send", params)
        # With peer_ids each recipient gets its own result, and its own error (901, ...).
        results = response if isinstance(response, list) else []
        mine = [r for r in results if isinstance(r, Mapping) and r.get("peer_id") == peer_id]
        if not mine:
            raise TransientError("VK answered messages.send without a result for the peer")
        error = mine[0].get("error")
        if isinstance(error, Mapping):
            raise vk_error(_code(error.get("code")), str(error.get("description", "")))
        cmid = mine[0].get("conversation_message_id")
        if not isinstance(cmid, int) or isinstance(cmid, bool):
            raise TransientError("VK answered messages.send without a conversation_message_id")
        return Delivered(message_external_id(peer_id, cmid))

    async def _comment(self, item: Outbound) -> Delivered:
        post, reply_to = reply_target(item.peer_id, item.target_external_id)
        api = post.api
        # wall.createComment names the community to post as; the other sections take a flag.
        from_group = abs(_int(item.account.external_id, "the group id")) if api is WALL_API else 1
        params: dict[str, Any] = {
            **api.owner_params(post.owner),
            api.item_param: post.item,
            "message": item.text,
            "guid": item.idempotency_key,
            "from_group": from_group,
        }
        if reply_to is not None and api.threaded:
            params["reply_to_comment"] = reply_to
        response = await self._call(item.account.token, api.create_method, params)
        # wall answers {"comment_id", "parents_stack"}; photos, video, board, market the id.
        comment_id = response.get("comment_id") if isinstance(response, Mapping) else response
        if not isinstance(comment_id, int) or isinstance(comment_id, bool):
            raise TransientError(f"VK answered {api.create_method} without a comment id")
        return Delivered(api.surface.comment_id(post.owner, comment_id))

    async def _delete(self, item: Outbound) -> Delivered:
        if item.thread_kind is ThreadKind.DIRECT:
            raise Refused("omnibox deletes VK comments only, not direct messages")
        if not item.target_external_id:
            raise Refused("VK needs the comment to delete, and none was given")
        comment = parse_comment(item.target_external_id)
        user_token = item.account.options.get(USER_TOKEN_OPTION)
        if not isinstance(user_token, str) or not user_token:
            raise Refused(DELETE_NEEDS_ADMIN)
        params = {**comment.api.owner_params(comment.owner), "comment_id": comment.comment}
        if comment.api.by_group:  # board.deleteComment also wants the topic
            params["topic_id"] = parse_post(item.peer_id).item
        await self._call(user_token, comment.api.delete_method, params)
        return Delivered()

    async def _call(self, token: str, method: str, params: dict[str, Any]) -> Any:
        """One API call; every failure leaves as an ``inbox.channels`` error."""
        try:
            answer = await self._api(token).request(method, params)
        except VKAPIError as exc:
            raise vk_error(exc.code, exc.error_msg) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransientError(f"VK unreachable: {type(exc).__name__}") from exc
        if not isinstance(answer, Mapping) or "response" not in answer:
            raise TransientError(f"VK answered {method} without a response")
        return answer["response"]

    def _api(self, token: str) -> API:
        api = self._apis.get(token)
        if api is None:
            client = VkHttpClient(timeout=aiohttp.ClientTimeout(total=self._timeout))
            api = API(token, http_client=client, request_rescheduler=NoReschedule())
            api.API_URL = self._url  # per instance: other APIs keep VK's own base
            self._apis[token] = api
        return api


def _peer_result(peer: int, result: Mapping[str, Any] | None) -> Delivered | ChannelError:
    if result is None:
        return TransientError("VK answered messages.send without a result for the peer")
    error = result.get("error")
    if isinstance(error, Mapping):
        return vk_error(_code(error.get("code")), str(error.get("description", "")))
    cmid = result.get("conversation_message_id")
    if not isinstance(cmid, int) or isinstance(cmid, bool):
        return TransientError("VK answered messages.send without a conversation_message_id")
    return Delivered(message_external_id(peer, cmid))


def _int(value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Refused(f"{what} is not a VK id: {value!r}") from None


def _code(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


if TYPE_CHECKING:
    _conforms: ChannelSender = VkSender("https://api.vk.com")
