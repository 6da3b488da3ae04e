"""FacebookSender and InstagramSender through real httpx against the fake Graph API."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from bots.channel_names import Channel
from bots.facebook.adapter import FacebookAdapter, InstagramAdapter
from bots.facebook.sender import FacebookSender, InstagramSender
from bots.registry import build_senders
from fakes import FakeGraph
from inbox.channels import RateLimited, RecipientGone, Refused, TransientError
from inbox.events import ThreadKind
from inbox.outbound import AccountAuth, Delivered, Outbound, OutboundAction
from tests.support.payloads import load_payload

VERSION = "v25.0"
PAGE = "102030405060708"
PAGE_TOKEN = "EAAB-page-token"
PSID = "7012345678901234"
FB_COMMENT = "987654321012345_1122334455667788"
IG_ACCOUNT = "17841400000000001"
IG_TOKEN = "IGQ-account-token"
IGSID = "1122334455667788990"
IG_COMMENT = "17998877665544332"
FB = AccountAuth(id=3, channel=Channel.FACEBOOK, external_id=PAGE, token=PAGE_TOKEN)
IG = AccountAuth(id=4, channel=Channel.INSTAGRAM, external_id=IG_ACCOUNT, token=IG_TOKEN)
UNICODE = "Здравствуйте! 안녕하세요 👨‍👩‍👧‍👦 заказ 🇰🇷 감사합니다 👍🏽"


def dm(account: AccountAuth = FB, text: str = "Yes, we ship to Tbilisi.", **kw: Any) -> Outbound:
    peer = PSID if account is FB else IGSID
    return Outbound(1, "m-1", account, OutboundAction.SEND, ThreadKind.DIRECT, peer, text, **kw)


def comment(
    action: OutboundAction = OutboundAction.SEND, account: AccountAuth = FB, **kw: Any
) -> Outbound:
    target = FB_COMMENT if account is FB else IG_COMMENT
    fields: dict[str, Any] = {
        "text": "The offer is valid in every store.",
        "target_external_id": target,
    }
    fields.update(kw)
    return Outbound(2, "m-2", account, action, ThreadKind.COMMENT, target, **fields)


@pytest.fixture
async def fake() -> AsyncIterator[FakeGraph]:
    async with FakeGraph() as server:
        yield server


@pytest.fixture
async def facebook(fake: FakeGraph) -> AsyncIterator[FacebookSender]:
    sender = FacebookSender(fake.base_url, VERSION)
    yield sender
    await sender.close()


@pytest.fixture
async def instagram(fake: FakeGraph) -> AsyncIterator[InstagramSender]:
    sender = InstagramSender(fake.base_url, VERSION)
    yield sender
    await sender.close()


def echo_id(adapter: FacebookAdapter | InstagramAdapter, payload: dict[str, Any]) -> str:
    [event] = adapter.normalise(payload, payload["entry"][0]["id"])
    return event.external_id


class TestFacebook:
    async def test_message_matches_the_echo(
        self, fake: FakeGraph, facebook: FacebookSender
    ) -> None:
        delivered = await facebook.deliver(dm())
        [call] = fake.calls
        assert (call.http_method, call.path) == ("POST", f"/{VERSION}/me/messages")
        assert call.token == PAGE_TOKEN
        assert call.params == {
            "recipient": {"id": PSID},
            "messaging_type": "RESPONSE",
            "message": {"text": "Yes, we ship to Tbilisi."},
        }
        echo = copy.deepcopy(load_payload("facebook", "message_echoes"))
        echo["entry"][0]["messaging"][0]["message"]["mid"] = call.answer["message_id"]
        assert delivered.external_id == echo_id(FacebookAdapter(), echo)

    async def test_tagged_message(self, fake: FakeGraph, facebook: FacebookSender) -> None:
        await facebook.deliver(dm(messaging_tag="HUMAN_AGENT"))
        assert fake.calls[0].params["messaging_type"] == "MESSAGE_TAG"
        assert fake.calls[0].params["tag"] == "HUMAN_AGENT"

    async def test_public_reply_matches_the_feed_echo(
        self, fake: FakeGraph, facebook: FacebookSender
    ) -> None:
        delivered = await facebook.deliver(comment())
        [call] = fake.calls_to(f"POST /{FB_COMMENT}/comments")
        assert call.params == {"message": "The offer is valid in every store."}
        echo = copy.deepcopy(load_payload("facebook", "feed__page_own_comment"))
        echo["entry"][0]["changes"][0]["value"]["comment_id"] = call.answer["id"]
        assert delivered.external_id == echo_id(FacebookAdapter(), echo)

    async def test_private_reply(self, fake: FakeGraph, facebook: FacebookSender) -> None:
        delivered = await facebook.deliver(comment(private=True))
        [call] = fake.calls_to("POST /me/messages")
        assert call.params == {
            "recipient": {"comment_id": FB_COMMENT},
            "message": {"text": "The offer is valid in every store."},
        }
        assert delivered.external_id == call.answer["message_id"]

    @pytest.mark.parametrize(
        ("action", "method", "body"),
        [
            (OutboundAction.HIDE, "POST", {"is_hidden": True}),
            (OutboundAction.UNHIDE, "POST", {"is_hidden": False}),
            (OutboundAction.DELETE, "DELETE", {}),
        ],
    )
    async def test_moderation(
        self,
        fake: FakeGraph,
        facebook: FacebookSender,
        action: OutboundAction,
        method: str,
        body: dict[str, Any],
    ) -> None:
        assert await facebook.deliver(comment(action)) == Delivered()
        [call] = fake.calls
        assert (call.http_method, call.path, call.params) == (
            method,
            f"/{VERSION}/{FB_COMMENT}",
            body,
        )

    async def test_unicode_arrives_exactly(self, fake: FakeGraph, facebook: FacebookSender) -> None:
        await facebook.deliver(dm(text=UNICODE))
        await facebook.deliver(comment(text=UNICODE))
        assert fake.calls[0].params["message"]["text"] == UNICODE
        assert fake.calls[1].params["message"] == UNICODE

    async def test_one_client_per_token_keeps_its_connection(
        self, fake: FakeGraph, facebook: FacebookSender
    ) -> None:
        await facebook.deliver(dm())
        await facebook.deliver(comment())
        assert fake.calls[0].client_port == fake.calls[1].client_port

    @pytest.mark.parametrize(
        ("item", "reason"),
        [
            (dm(text="x" * 2001), "text is 2001 characters; Messenger takes at most 2000"),
            (dm(text="  "), "empty"),
            (comment(target_external_id="1/../me/messages"), "not a Graph API object id"),
            (replace(dm(), action=OutboundAction.DELETE), "cannot be hidden or deleted"),
        ],
    )
    async def test_refused_before_calling(
        self, fake: FakeGraph, facebook: FacebookSender, item: Outbound, reason: str
    ) -> None:
        with pytest.raises(Refused, match=reason):
            await facebook.deliver(item)
        assert fake.calls == []


class TestInstagram:
    async def test_message_matches_the_echo(
        self, fake: FakeGraph, instagram: InstagramSender
    ) -> None:
        delivered = await instagram.deliver(dm(IG))
        [call] = fake.calls_to("POST /me/messages")
        assert call.token == IG_TOKEN
        assert call.params["recipient"] == {"id": IGSID}
        echo = copy.deepcopy(load_payload("instagram", "message_echoes"))
        echo["entry"][0]["messaging"][0]["message"]["mid"] = call.answer["message_id"]
        assert delivered.external_id == echo_id(InstagramAdapter(), echo)

    async def test_reply_matches_the_comments_echo(
        self, fake: FakeGraph, instagram: InstagramSender
    ) -> None:
        delivered = await instagram.deliver(comment(account=IG))
        [call] = fake.calls_to(f"POST /{IG_COMMENT}/replies")
        assert call.params == {"message": "The offer is valid in every store."}
        echo = copy.deepcopy(load_payload("instagram", "comments__own_reply"))
        echo["entry"][0]["changes"][0]["value"]["id"] = call.answer["id"]
        assert delivered.external_id == echo_id(InstagramAdapter(), echo)

    async def test_private_reply(self, fake: FakeGraph, instagram: InstagramSender) -> None:
        await instagram.deliver(comment(account=IG, private=True))
        [call] = fake.calls_to("POST /me/messages")
        assert call.params["recipient"] == {"comment_id": IG_COMMENT}

    async def test_hide_and_delete(self, fake: FakeGraph, instagram: InstagramSender) -> None:
        await instagram.deliver(comment(OutboundAction.HIDE, IG))
        await instagram.deliver(comment(OutboundAction.DELETE, IG))
        hide, delete = fake.calls
        assert (hide.route, hide.params) == (f"POST /{IG_COMMENT}", {"hide": True})
        assert delete.route == f"DELETE /{IG_COMMENT}"

    async def test_instagram_text_limit(self, fake: FakeGraph, instagram: InstagramSender) -> None:
        with pytest.raises(Refused, match="Instagram takes at most 1000"):
            await instagram.deliver(dm(IG, text="x" * 1001))


class TestErrors:
    @pytest.mark.parametrize(
        ("code", "subcode", "error", "needle"),
        [
            (10, 2018278, RecipientGone, "outside the 24-hour messaging window"),
            (551, 1545041, RecipientGone, "cannot be reached"),
            (100, 2018001, RecipientGone, "cannot be reached"),
            (613, None, RateLimited, "Meta error 613"),
            (4, None, RateLimited, "Meta error 4"),
            (100, None, Refused, "Meta error 100"),
            (190, None, Refused, "reconnect the account"),
            (200, None, Refused, "lacks a permission"),
            (2, None, TransientError, "Meta error 2"),
        ],
    )
    async def test_message_errors(
        self,
        fake: FakeGraph,
        facebook: FacebookSender,
        code: int,
        subcode: int | None,
        error: type[Exception],
        needle: str,
    ) -> None:
        fake.script_error("POST /me/messages", code, "Meta says no", subcode=subcode)
        with pytest.raises(error, match=needle) as caught:
            await facebook.deliver(dm())
        assert "Meta says no" in str(caught.value)
        if isinstance(caught.value, RateLimited):
            assert caught.value.retry_after == 60

    async def test_rate_limit_honours_headers(
        self, fake: FakeGraph, facebook: FacebookSender
    ) -> None:
        usage = {PAGE: [{"type": "pages", "estimated_time_to_regain_access": 5}]}
        headers = {"X-Business-Use-Case-Usage": json.dumps(usage)}
        fake.script_error("POST /{id}/comments", 80001, "Too many calls", headers=headers)
        fake.script_error("POST /{id}/comments", 32, "Page limit", headers={"Retry-After": "17"})
        with pytest.raises(RateLimited) as first:
            await facebook.deliver(comment())
        with pytest.raises(RateLimited) as second:
            await facebook.deliver(comment())
        assert (first.value.retry_after, second.value.retry_after) == (300, 17)

    async def test_window_closed_on_a_private_reply_refuses_only_the_reply(
        self, fake: FakeGraph, facebook: FacebookSender
    ) -> None:
        fake.script_error("POST /me/messages", 10, "outside the window", subcode=2018278)
        with pytest.raises(Refused, match="one private reply per comment"):
            await facebook.deliver(comment(private=True))

    async def test_permission_error_on_a_comment_is_refused(
        self, fake: FakeGraph, facebook: FacebookSender
    ) -> None:
        fake.script_error("POST /{id}", 10, "Permission denied")
        with pytest.raises(Refused, match="Meta error 10"):
            await facebook.deliver(comment(OutboundAction.HIDE))

    async def test_5xx_is_transient(self, fake: FakeGraph, facebook: FacebookSender) -> None:
        fake.script_error("POST /me/messages", 1, "An unknown error occurred", status=500)
        fake.script("POST /me/messages", status=502, text="<html>Bad Gateway</html>")
        fake.script("*", status=503, body={"unexpected": True})
        for _ in range(3):
            with pytest.raises(TransientError):
                await facebook.deliver(dm())

    async def test_timeout_is_transient(self, fake: FakeGraph) -> None:
        fake.script("POST /me/messages", body={"message_id": "m_1"}, delay=1)
        sender = FacebookSender(fake.base_url, VERSION, timeout=0.1)
        try:
            with pytest.raises(TransientError, match="unreachable"):
                await sender.deliver(dm())
        finally:
            await sender.close()

    async def test_closed_port_is_transient(self) -> None:
        async with FakeGraph() as gone:
            base = gone.base_url
        sender = InstagramSender(base, VERSION)
        try:
            with pytest.raises(TransientError, match="unreachable"):
                await sender.deliver(dm(IG))
        finally:
            await sender.close()

    async def test_fake_rate_cap_is_error_613(self) -> None:
        async with FakeGraph(rate_limit=1) as fake:
            sender = FacebookSender(fake.base_url, VERSION)
            try:
                await sender.deliver(dm())
                with pytest.raises(RateLimited, match="Meta error 613"):
                    await sender.deliver(dm())
            finally:
                await sender.close()


async def test_build_senders_wires_meta(fake: FakeGraph) -> None:
    senders = build_senders("http://tg.invalid", "http://vk.invalid", fake.base_url, VERSION)
    try:
        assert isinstance(senders["facebook"], FacebookSender)
        assert isinstance(senders["instagram"], InstagramSender)
        await senders["instagram"].deliver(dm(IG))
        assert fake.calls[0].path == f"/{VERSION}/me/messages"
    finally:
        for sender in senders.values():
            await sender.close()
