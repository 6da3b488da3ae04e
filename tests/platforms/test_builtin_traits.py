"""What the built-in platforms declare, pinned: the pace, buckets, batches, resends and window
that the outbox and the newsletters had written into them before the traits existed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.app import create_app
from bots.registry import build_adapters
from inbox import platforms
from inbox.channels import Refused
from inbox.events import ThreadKind
from inbox.newsletters.dispatcher import Pace
from inbox.outbound import OutboundAction
from inbox.outbox.models import OutboxRequest
from inbox.outbox.policy import SendPolicy, safe_to_resend
from inbox.ratelimit import Limit
from inbox.settings import Settings

SETTINGS = Settings(
    _env_file=None,  # type: ignore[call-arg]
    telegram_messages_per_second=25.0,
    vk_requests_per_second=15.0,
    meta_requests_per_second=250.0,
)
ADAPTERS = build_adapters()
TRAITS = {channel: adapter.traits for channel, adapter in ADAPTERS.items()}
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _registered() -> None:
    platforms.register(*TRAITS.values())


def _policy() -> SendPolicy:
    return SendPolicy(rates=platforms.configured_rates(SETTINGS))


def test_each_adapter_declares_the_traits_of_its_own_channel() -> None:
    assert set(TRAITS) == {"telegram", "vk", "facebook", "instagram"}
    assert all(traits.channel == channel for channel, traits in TRAITS.items())


def test_telegram_buckets_per_chat_and_per_bot() -> None:
    dm = OutboxRequest(peer_id="51")
    assert _policy().limits("telegram", 3, dm) == (
        Limit("tg:3:51", 1.0, 3),
        Limit("tg:3", 25.0 * 0.98, 1),
    )
    in_group = OutboxRequest(thread_kind=ThreadKind.COMMENT, peer_id="-100", recipient_id="51")
    assert _policy().limits("telegram", 3, in_group)[0] == Limit("tg:3:-100", 20 / 60, 3)
    answered_privately = OutboxRequest(
        thread_kind=ThreadKind.COMMENT, peer_id="-100", recipient_id="51", private=True
    )
    assert _policy().limits("telegram", 3, answered_privately)[0] == Limit("tg:3:51", 1.0, 3)


def test_vk_and_meta_buckets_per_account() -> None:
    any_call = OutboxRequest(peer_id="7")
    assert _policy().limits("vk", 4, any_call) == (Limit("vk:4", 15.0 * 0.98, 1),)
    for channel in ("facebook", "instagram"):
        assert _policy().limits(channel, 5, any_call) == (Limit("meta:5", 250.0, 20),)


def test_newsletter_pace_counts_recipients_per_call() -> None:
    pace = Pace(platforms.configured_rates(SETTINGS))
    assert pace.recipients_per_second("telegram", personalised=False) == 25.0
    assert pace.recipients_per_second("vk", personalised=False) == 15.0 * 100
    assert pace.recipients_per_second("vk", personalised=True) == 15.0
    assert pace.recipients_per_second("instagram", personalised=False) == 250.0


def test_only_vk_sends_are_safe_to_make_again_after_a_crash() -> None:
    send, hide = OutboundAction.SEND, OutboundAction.HIDE
    assert safe_to_resend(TRAITS["vk"], send)
    for channel in ("telegram", "facebook", "instagram"):
        assert not safe_to_resend(TRAITS[channel], send)
        assert safe_to_resend(TRAITS[channel], hide)
    assert safe_to_resend(None, OutboundAction.WEBHOOK)


def test_meta_window_24_hours_then_7_days_with_human_agent() -> None:
    window = TRAITS["facebook"].window
    assert window is not None
    assert window is TRAITS["instagram"].window
    allowed = {"allow_human_agent": True}
    assert window.reply_tag(NOW - timedelta(hours=23), {}, NOW) is None
    assert window.reply_tag(NOW - timedelta(days=6), allowed, NOW) == "HUMAN_AGENT"
    with pytest.raises(Refused) as refused:
        window.reply_tag(NOW - timedelta(days=6), {}, NOW)
    assert str(refused.value) == (
        "outside Meta's 24-hour window: the customer last wrote at 2026-02-24 12:00 UTC; Meta "
        "allows replies only within 24 hours (7 days with the human-agent tag, if enabled)"
    )
    with pytest.raises(Refused, match="last wrote never"):
        window.reply_tag(None, allowed, NOW)
    assert TRAITS["telegram"].window is None
    assert TRAITS["vk"].window is None


async def test_each_declared_webhook_path_is_served(settings: Settings) -> None:
    app = create_app(settings)
    try:
        paths = app.openapi()["paths"]
        for traits in TRAITS.values():
            assert "post" in paths.get(traits.webhook_path, {}), traits.channel
    finally:
        await app.state.runtime.engine.dispose()


def test_the_admin_commands_know_every_platform_the_service_wires() -> None:
    # bots/traits.py lists the traits apart from the adapters (the admin commands must not load
    # aiogram or vkbottle): a platform added to the registry alone would be unknown to them.
    from bots.registry import build_adapters
    from bots.traits import ALL_TRAITS

    wired = {channel: adapter.traits for channel, adapter in build_adapters().items()}
    assert {t.channel: t for t in ALL_TRAITS} == wired
