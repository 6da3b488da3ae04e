"""Buttons as quick replies through real httpx to the fake Graph API, and a tap coming back."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bots.channel_names import Channel
from bots.facebook.adapter import FacebookAdapter, InstagramAdapter
from bots.facebook.sender import FacebookSender, InstagramSender
from fakes import FakeGraph
from inbox.events import Author, EventKind, InboundEvent, Thread, ThreadKind
from inbox.outbound import AccountAuth, Button, Outbound, OutboundAction
from tests.support.payloads import load_payload

VERSION = "v25.0"
PAGE = "102030405060708"
PSID = "7012345678901234"
FB_COMMENT = "987654321012345_1122334455667788"
IG_ACCOUNT = "17841400000000001"
IGSID = "1122334455667788990"
IG_COMMENT = "17998877665544332"
FB = AccountAuth(id=3, channel=Channel.FACEBOOK, external_id=PAGE, token="EAAB-page-token")
IG = AccountAuth(id=4, channel=Channel.INSTAGRAM, external_id=IG_ACCOUNT, token="IGQ-token")
CSAT = tuple(Button(str(n), f"csat:12:{n}") for n in range(1, 6))
QUICK_CSAT = [
    {"content_type": "text", "title": str(n), "payload": f"csat:12:{n}"} for n in range(1, 6)
]


def direct(account: AccountAuth, buttons: tuple[Button, ...] = CSAT) -> Outbound:
    peer = PSID if account is FB else IGSID
    return Outbound(
        1, "m-1", account, OutboundAction.SEND, ThreadKind.DIRECT, peer, "How did we do?",
        buttons=buttons,
    )  # fmt: skip


def comment(account: AccountAuth, *, private: bool) -> Outbound:
    target = FB_COMMENT if account is FB else IG_COMMENT
    return Outbound(
        2, "m-2", account, OutboundAction.SEND, ThreadKind.COMMENT, target, "How did we do?",
        target_external_id=target, private=private, buttons=CSAT,
    )  # fmt: skip


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


@pytest.fixture(params=["facebook", "instagram"])
def pair(
    request: pytest.FixtureRequest, facebook: FacebookSender, instagram: InstagramSender
) -> tuple[FacebookSender | InstagramSender, AccountAuth]:
    return (facebook, FB) if request.param == "facebook" else (instagram, IG)


Pair = tuple[FacebookSender | InstagramSender, AccountAuth]


class TestQuickReplies:
    async def test_a_message_carries_them(self, fake: FakeGraph, pair: Pair) -> None:
        sender, account = pair
        delivered = await sender.deliver(direct(account))
        [call] = fake.calls_to("POST /me/messages")
        assert call.params == {
            "recipient": {"id": PSID if account is FB else IGSID},
            "messaging_type": "RESPONSE",
            "message": {"text": "How did we do?", "quick_replies": QUICK_CSAT},
        }
        assert delivered.external_id == call.answer["message_id"]

    async def test_titles_are_cut_to_twenty_characters(self, fake: FakeGraph, pair: Pair) -> None:
        sender, account = pair
        await sender.deliver(direct(account, (Button("Позвать оператора, пожалуйста", "human"),)))
        [quick] = fake.calls[0].params["message"]["quick_replies"]
        assert quick == {
            "content_type": "text",
            "title": "Позвать оператора, п",
            "payload": "human",
        }

    async def test_no_buttons_no_quick_replies(self, fake: FakeGraph, pair: Pair) -> None:
        sender, account = pair
        await sender.deliver(direct(account, ()))
        assert fake.calls[0].params["message"] == {"text": "How did we do?"}

    async def test_public_comment_reply_goes_without_them(
        self, fake: FakeGraph, pair: Pair
    ) -> None:
        sender, account = pair
        delivered = await sender.deliver(comment(account, private=False))
        [call] = fake.calls
        edge = "comments" if account is FB else "replies"
        assert call.path.endswith(f"/{edge}")
        assert call.params == {"message": "How did we do?"}
        assert delivered.external_id == call.answer["id"]

    async def test_private_reply_to_a_commenter_has_them(self, fake: FakeGraph, pair: Pair) -> None:
        sender, account = pair
        await sender.deliver(comment(account, private=True))
        [call] = fake.calls_to("POST /me/messages")
        assert call.params["recipient"] == {
            "comment_id": FB_COMMENT if account is FB else IG_COMMENT
        }
        assert call.params["message"]["quick_replies"] == QUICK_CSAT


class TestTap:
    def test_an_instagram_quick_reply_is_a_message_with_its_payload(self) -> None:
        payload = load_payload("instagram", "messages__quick_reply")
        assert InstagramAdapter().normalise(payload, IG_ACCOUNT) == [
            InboundEvent(
                channel=Channel.INSTAGRAM,
                account_external_id=IG_ACCOUNT,
                kind=EventKind.MESSAGE,
                event_type="messages",
                thread=Thread(kind=ThreadKind.DIRECT, key=f"dm:{IGSID}", peer_id=IGSID),
                author=Author(id=IGSID),
                external_id=(
                    "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAxOnF1aWNrcmVwbHkwMDU"
                ),
                platform_ts=datetime(2025, 1, 21, 11, 55, 0, 270000, tzinfo=UTC),
                text="5",
                payload="csat:12:5",
            )
        ]

    async def test_the_sent_payload_comes_back_exactly(
        self, fake: FakeGraph, facebook: FacebookSender
    ) -> None:
        await facebook.deliver(direct(FB))
        tapped = fake.calls[0].params["message"]["quick_replies"][2]
        payload = copy.deepcopy(load_payload("facebook", "messages__quick_reply"))
        message = payload["entry"][0]["messaging"][0]["message"]
        message["text"], message["quick_reply"]["payload"] = tapped["title"], tapped["payload"]
        [event] = FacebookAdapter().normalise(payload, PAGE)
        assert (event.kind, event.text, event.payload) == (EventKind.MESSAGE, "3", "csat:12:3")
