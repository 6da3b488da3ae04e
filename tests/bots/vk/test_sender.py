"""VkSender through real vkbottle against the fake VK API."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bots.channel_names import Channel
from bots.registry import build_senders
from bots.vk.adapter import VkAdapter
from bots.vk.sender import VkSender, random_id
from fakes import FakeVk
from inbox.channels import RateLimited, RecipientGone, Refused, TransientError
from inbox.events import ThreadKind
from inbox.outbound import AccountAuth, Delivered, Outbound, OutboundAction
from tests.support.payloads import load_payload

GROUP = "229876543"
TOKEN = "vk1.a.community-token"
USER_TOKEN = "vk1.a.admin-user-token"
ACCOUNT = AccountAuth(id=2, channel=Channel.VK, external_id=GROUP, token=TOKEN)
ADMIN = AccountAuth(
    id=2, channel=Channel.VK, external_id=GROUP, token=TOKEN, options={"vk_user_token": USER_TOKEN}
)
USER = "512345678"  # the customer in the fixtures
WALL_POST = f"wall-{GROUP}_318"
UNICODE = "Здравствуйте! 안녕하세요 👨‍👩‍👧‍👦 заказ 🇰🇷 감사합니다 👍🏽"


def dm(outbox_id: int = 1, text: str = "We deliver in 2 days.", **kw: Any) -> Outbound:
    return Outbound(
        outbox_id, f"vk-{outbox_id}", ACCOUNT, OutboundAction.SEND, ThreadKind.DIRECT, USER, text,
        **kw,
    )  # fmt: skip


def comment(
    action: OutboundAction = OutboundAction.SEND, account: AccountAuth = ACCOUNT, **kw: Any
) -> Outbound:
    fields: dict[str, Any] = {
        "text": "It is 1 500 ₽.",
        "target_external_id": f"wall_comment-{GROUP}_905",
        "post_id": WALL_POST,
        "recipient_id": USER,
    }
    fields.update(kw)
    peer = fields.pop("peer_id", WALL_POST)
    return Outbound(7, "outbox-7-key", account, action, ThreadKind.COMMENT, peer, **fields)


@pytest.fixture
async def fake() -> AsyncIterator[FakeVk]:
    async with FakeVk() as server:
        yield server


@pytest.fixture
async def sender(fake: FakeVk) -> AsyncIterator[VkSender]:
    sender = VkSender(fake.base_url)
    yield sender
    await sender.close()


def normalise_one(payload: dict[str, Any]) -> str:
    [event] = VkAdapter().normalise(payload, GROUP)
    return event.external_id


class TestMessages:
    async def test_direct_message_matches_the_message_reply_echo(
        self, fake: FakeVk, sender: VkSender
    ) -> None:
        delivered = await sender.deliver(dm())
        [call] = fake.calls_to("messages.send")
        assert call.token == TOKEN
        assert call.params["v"] == "5.199"
        assert call.params["peer_ids"] == USER
        assert call.params["message"] == "We deliver in 2 days."
        assert call.params["random_id"] == str(random_id(1))
        [result] = call.answer["response"]
        # VK echoes our message as message_reply; the normaliser must name it the same.
        echo = copy.deepcopy(load_payload("vk", "message_reply"))
        echo["object"]["peer_id"] = int(USER)
        echo["object"]["conversation_message_id"] = result["conversation_message_id"]
        assert delivered.external_id == normalise_one(echo)
        assert delivered.external_id == f"msg:{USER}:{result['conversation_message_id']}"

    async def test_random_id_is_stable_per_outbox_row(self, fake: FakeVk, sender: VkSender) -> None:
        first = await sender.deliver(dm(41))
        again = await sender.deliver(dm(41))  # a retry of the same row
        other = await sender.deliver(dm(42))
        ids = [c.params["random_id"] for c in fake.calls]
        assert ids[0] == ids[1] != ids[2]
        assert all(0 < int(i) < 2**31 for i in ids)
        assert random_id(41) == random_id(41) != random_id(42)
        # VK drops the repeat, so the retry names the message already sent.
        assert first == again != other

    async def test_private_reply_to_a_comment_is_a_message(
        self, fake: FakeVk, sender: VkSender
    ) -> None:
        delivered = await sender.deliver(comment(private=True))
        [call] = fake.calls_to("messages.send")
        assert call.params["peer_ids"] == USER
        assert delivered.external_id is not None
        assert delivered.external_id.startswith(f"msg:{USER}:")

    async def test_unicode_arrives_exactly(self, fake: FakeVk, sender: VkSender) -> None:
        await sender.deliver(dm(text=UNICODE))
        assert fake.calls[0].params["message"] == UNICODE

    async def test_one_api_per_token_keeps_its_connection(
        self, fake: FakeVk, sender: VkSender
    ) -> None:
        await sender.deliver(dm(1))
        await sender.deliver(dm(2))
        assert fake.calls[0].client_port == fake.calls[1].client_port

    async def test_too_long_is_refused(self, fake: FakeVk, sender: VkSender) -> None:
        with pytest.raises(Refused, match="text is 4097 characters; VK takes at most 4096"):
            await sender.deliver(dm(text="я" * 4097))
        assert fake.calls == []


# (surface fixture, peer_id, target comment, method, expected params, fixture id/from keys)
SURFACES = [
    pytest.param(
        "wall_reply_new", WALL_POST, f"wall_comment-{GROUP}_905", "wall.createComment",
        {"owner_id": f"-{GROUP}", "post_id": "318", "reply_to_comment": "905",
         "from_group": GROUP},
        id="wall",
    ),
    pytest.param(
        "photo_comment_new", f"photo-{GROUP}_457239101", f"photo_comment-{GROUP}_41",
        "photos.createComment",
        {"owner_id": f"-{GROUP}", "photo_id": "457239101", "reply_to_comment": "41",
         "from_group": "1"},
        id="photo",
    ),
    pytest.param(
        "video_comment_new", f"video-{GROUP}_456239050", f"video_comment-{GROUP}_17",
        "video.createComment",
        {"owner_id": f"-{GROUP}", "video_id": "456239050", "reply_to_comment": "17",
         "from_group": "1"},
        id="video",
    ),
    pytest.param(
        "board_post_new", f"topic-{GROUP}_49251234", f"board_comment-{GROUP}_12",
        "board.createComment",
        {"group_id": GROUP, "topic_id": "49251234", "from_group": "1"},
        id="board",
    ),
    pytest.param(
        "market_comment_new", f"market-{GROUP}_8765432", f"market_comment-{GROUP}_7",
        "market.createComment",
        {"owner_id": f"-{GROUP}", "item_id": "8765432", "reply_to_comment": "7",
         "from_group": "1"},
        id="market",
    ),
]  # fmt: skip


class TestComments:
    @pytest.mark.parametrize(("fixture", "peer", "target", "method", "expected"), SURFACES)
    async def test_reply_matches_the_comment_echo(
        self,
        fake: FakeVk,
        sender: VkSender,
        fixture: str,
        peer: str,
        target: str,
        method: str,
        expected: dict[str, str],
    ) -> None:
        delivered = await sender.deliver(comment(peer_id=peer, target_external_id=target))
        [call] = fake.calls_to(method)
        assert call.params["guid"] == "outbox-7-key"
        assert call.params["message"] == "It is 1 500 ₽."
        assert {k: call.params.get(k) for k in expected} == expected
        if method == "board.createComment":
            assert "reply_to_comment" not in call.params  # topics are not threaded
        answer = call.answer["response"]
        new_id = answer["comment_id"] if isinstance(answer, dict) else answer
        # VK echoes the community's comment as <surface>_new from -group_id.
        echo = copy.deepcopy(load_payload("vk", fixture))
        echo["object"]["id"] = new_id
        echo["object"]["from_id"] = -int(GROUP)
        assert delivered.external_id == normalise_one(echo)

    async def test_retried_reply_is_not_doubled(self, fake: FakeVk, sender: VkSender) -> None:
        first = await sender.deliver(comment())
        again = await sender.deliver(comment())
        assert first == again  # same guid: VK answers with the first comment
        assert [c.params["guid"] for c in fake.calls] == ["outbox-7-key"] * 2

    async def test_reply_without_target_comments_on_the_post(
        self, fake: FakeVk, sender: VkSender
    ) -> None:
        await sender.deliver(comment(target_external_id=None))
        [call] = fake.calls_to("wall.createComment")
        assert "reply_to_comment" not in call.params

    @pytest.mark.parametrize(
        ("peer", "target", "reason"),
        [
            ("dm:512345678", None, "is not a VK post"),
            (WALL_POST, "photo_comment-229876543_41", "does not belong to"),
            (WALL_POST, "wall_comment-1_905", "does not belong to"),
            (WALL_POST, "msg:1:2", "is not a VK comment id"),
        ],
    )
    async def test_mismatched_ids_are_refused(
        self, fake: FakeVk, sender: VkSender, peer: str, target: str | None, reason: str
    ) -> None:
        with pytest.raises(Refused, match=reason):
            await sender.deliver(comment(peer_id=peer, target_external_id=target))
        assert fake.calls == []


class TestModeration:
    async def test_delete_uses_the_admin_user_token(self, fake: FakeVk, sender: VkSender) -> None:
        delivered = await sender.deliver(comment(OutboundAction.DELETE, ADMIN))
        [call] = fake.calls_to("wall.deleteComment")
        assert call.token == USER_TOKEN
        assert (call.params["owner_id"], call.params["comment_id"]) == (f"-{GROUP}", "905")
        assert delivered == Delivered()

    async def test_board_delete_names_group_and_topic(self, fake: FakeVk, sender: VkSender) -> None:
        item = comment(
            OutboundAction.DELETE,
            ADMIN,
            peer_id=f"topic-{GROUP}_49251234",
            target_external_id=f"board_comment-{GROUP}_12",
        )
        await sender.deliver(item)
        [call] = fake.calls_to("board.deleteComment")
        assert call.params == {
            "v": "5.199",
            "group_id": GROUP,
            "topic_id": "49251234",
            "comment_id": "12",
        }

    async def test_delete_without_user_token_is_refused_clearly(
        self, fake: FakeVk, sender: VkSender
    ) -> None:
        with pytest.raises(Refused) as caught:
            await sender.deliver(comment(OutboundAction.DELETE))
        assert str(caught.value) == (
            "VK deletes comments only with an admin user token; add one to the account"
        )
        assert fake.calls == []

    @pytest.mark.parametrize("action", [OutboundAction.HIDE, OutboundAction.UNHIDE])
    async def test_hide_is_refused(
        self, fake: FakeVk, sender: VkSender, action: OutboundAction
    ) -> None:
        with pytest.raises(Refused, match="VK cannot hide a comment"):
            await sender.deliver(comment(action, ADMIN))
        assert fake.calls == []


class TestErrors:
    async def test_901_inside_the_peer_result_is_recipient_gone(
        self, fake: FakeVk, sender: VkSender
    ) -> None:
        fake.script_peer_error(
            "messages.send", 901, "Can't send messages for users without permission"
        )
        with pytest.raises(RecipientGone, match="VK error 901: Can't send messages"):
            await sender.deliver(dm())

    @pytest.mark.parametrize(
        ("code", "error", "retry_after"),
        [
            (6, RateLimited, 1.0),
            (9, RateLimited, 60.0),
            (10, TransientError, None),
            (900, RecipientGone, None),
            (902, RecipientGone, None),
            (914, Refused, None),
            (5, Refused, None),
        ],
    )
    async def test_error_envelope(
        self,
        fake: FakeVk,
        sender: VkSender,
        code: int,
        error: type[Exception],
        retry_after: float | None,
    ) -> None:
        fake.script_error("messages.send", code, "Something VK says")
        with pytest.raises(error, match=f"VK error {code}: Something VK says") as caught:
            await sender.deliver(dm())
        if retry_after is not None:
            assert isinstance(caught.value, RateLimited)
            assert caught.value.retry_after == retry_after

    @pytest.mark.parametrize("code", [212, 213, 222, 223])
    async def test_comment_errors_are_refused(
        self, fake: FakeVk, sender: VkSender, code: int
    ) -> None:
        fake.script_error("wall.createComment", code, "Access to adding comment denied")
        with pytest.raises(Refused, match=f"VK error {code}"):
            await sender.deliver(comment())

    @pytest.mark.parametrize(
        ("status", "text"), [(502, "<html>Bad Gateway</html>"), (200, "not json at all")]
    )
    async def test_non_json_fails_once_instead_of_looping(
        self, fake: FakeVk, sender: VkSender, status: int, text: str
    ) -> None:
        fake.script("messages.send", status=status, text=text)
        with pytest.raises(TransientError):
            await asyncio.wait_for(sender.deliver(dm()), timeout=5)
        assert len(fake.calls) == 1

    async def test_5xx_with_json_is_transient(self, fake: FakeVk, sender: VkSender) -> None:
        fake.script("messages.send", status=503, body={"error": "unavailable"})
        with pytest.raises(TransientError, match="HTTP 503"):
            await sender.deliver(dm())

    async def test_timeout_is_transient(self, fake: FakeVk) -> None:
        fake.script("messages.send", body={"response": []}, delay=1)
        sender = VkSender(fake.base_url, timeout=0.1)
        try:
            with pytest.raises(TransientError, match="unreachable"):
                await sender.deliver(dm())
        finally:
            await sender.close()

    async def test_closed_port_is_transient(self) -> None:
        async with FakeVk() as gone:
            base = gone.base_url
        sender = VkSender(base)
        try:
            with pytest.raises(TransientError, match="unreachable"):
                await sender.deliver(dm())
        finally:
            await sender.close()

    async def test_fake_rate_cap_is_error_6(self) -> None:
        async with FakeVk(rate_limit=2) as fake:
            sender = VkSender(fake.base_url)
            try:
                await sender.deliver(dm(1))
                await sender.deliver(dm(2))
                with pytest.raises(RateLimited) as caught:
                    await sender.deliver(dm(3))
            finally:
                await sender.close()
        assert caught.value.retry_after == 1.0


async def test_build_senders_wires_vk(fake: FakeVk) -> None:
    senders = build_senders("http://tg.invalid", fake.base_url, "http://graph.invalid", "v25.0")
    try:
        assert isinstance(senders["vk"], VkSender)
        await senders["vk"].deliver(dm())
        assert len(fake.calls_to("messages.send")) == 1
    finally:
        for sender in senders.values():
            await sender.close()
