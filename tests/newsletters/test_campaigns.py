"""Campaigns end to end: segment preview, frozen audience, sending through the fake platforms,
pause, resume, cancel, failures, and the label on a reply."""

from __future__ import annotations

from datetime import timedelta

from tests.newsletters.campaign_helpers import (
    add_people,
    api,
    campaign,
    flags,
    new_campaign,
    recipients,
    rounds,
    run,
    unsubscribe,
)
from tests.newsletters.conftest import Service
from tests.support.factories import post_telegram
from tests.support.payloads import load_payload


async def test_segment_preview_filters_labels_language_and_activity(service: Service) -> None:
    tg = service.accounts["telegram"]["id"]
    vip = await add_people(service, "telegram", ["101", "102"], labels=("vip",), language="pt-BR")
    await add_people(service, "telegram", ["103"], labels=("vip",), language="en")
    await add_people(service, "telegram", ["104"], labels=("vip",), wrote_ago=timedelta(days=40))
    await add_people(service, "telegram", ["105"], subscribed=False, labels=("vip",))
    seg = await api(
        service,
        "POST",
        "/segments",
        201,
        json={"name": "VIP pt", "account_id": tg, "labels": ["vip"], "language": "pt"},
    )
    preview = await api(service, "GET", f"/segments/{seg['id']}/audience")
    assert preview["size"] == 2
    assert sorted(p["contact_id"] for p in preview["sample"]) == sorted(vip)
    assert preview["note"] is None
    recent = await api(
        service,
        "POST",
        "/segments",
        201,
        json={"name": "Recent", "account_id": tg, "active_within_days": 30},
    )
    assert (await api(service, "GET", f"/segments/{recent['id']}/audience"))["size"] == 3


async def test_meta_audience_is_only_the_last_24_hours(service: Service) -> None:
    fb = service.accounts["facebook"]["id"]
    await add_people(service, "facebook", ["9001"], wrote_ago=timedelta(hours=2))
    await add_people(service, "facebook", ["9002"], wrote_ago=timedelta(hours=30))
    seg = await api(service, "POST", "/segments", 201, json={"name": "All", "account_id": fb})
    preview = await api(service, "GET", f"/segments/{seg['id']}/audience")
    assert preview["size"] == 1
    assert "24 hours" in preview["note"]


async def test_audience_is_frozen_at_the_start(service: Service) -> None:
    first = await add_people(service, "telegram", ["201", "202", "203"])
    c = await new_campaign(service, "telegram")
    started = await api(service, "POST", f"/campaigns/{c['id']}/send")
    assert started["status"] == "sending"
    assert started["audience_size"] == 3
    await add_people(service, "telegram", ["204"])  # subscribes after the start: not added
    await unsubscribe(service, first[1])  # leaves after the start: skipped at their turn
    done = await run(service, c["id"])
    assert done["status"] == "done"
    assert done["progress"] == {
        "audience": 3,
        "pending": 0,
        "queued": 0,
        "sent": 2,
        "failed": 0,
        "unsubscribed": 1,
        "cancelled": 0,
    }
    calls = service.tg.calls_to("sendMessage")
    assert sorted(call.params["chat_id"] for call in calls) == ["201", "203"]
    assert {call.params["text"] for call in calls} == {"Hello Person!"}
    skipped = await recipients(service, c["id"], status="unsubscribed")
    assert [r["contact_id"] for r in skipped] == [first[1]]


async def test_editing_a_started_campaign_is_a_conflict(service: Service) -> None:
    await add_people(service, "telegram", ["301"])
    c = await new_campaign(service, "telegram")
    await api(service, "POST", f"/campaigns/{c['id']}/pause", 409)
    await api(service, "PATCH", f"/campaigns/{c['id']}", 422, json={"text": "{{ message.text }}"})
    edited = await api(service, "PATCH", f"/campaigns/{c['id']}", json={"text": "Plain news"})
    assert edited["text"] == "Plain news"
    await api(service, "POST", f"/campaigns/{c['id']}/send")
    await api(service, "PATCH", f"/campaigns/{c['id']}", 409, json={"text": "Changed"})
    await api(service, "POST", f"/campaigns/{c['id']}/send", 409)
    await api(service, "DELETE", f"/campaigns/{c['id']}", 409)
    bad = {"name": "x", "account_id": c["account_id"], "text": "x", "tag": "spam"}
    await api(service, "POST", "/campaigns", 422, json=bad)


async def test_pause_holds_queued_rows_and_resume_finishes(service: Service) -> None:
    await add_people(service, "telegram", [str(400 + n) for n in range(6)])
    c = await new_campaign(service, "telegram", text="Weekly tips")
    await api(service, "POST", f"/campaigns/{c['id']}/send")
    dispatcher = service.rt.make_dispatcher()
    await dispatcher.run_once()  # rows are in the outbox now
    assert (await campaign(service, c["id"]))["progress"]["queued"] == 6
    await api(service, "POST", f"/campaigns/{c['id']}/pause")
    await rounds(service, dispatcher, 3)
    assert service.tg.calls_to("sendMessage") == []
    paused = await campaign(service, c["id"])
    assert paused["status"] == "paused"
    assert paused["progress"]["queued"] == 6
    await api(service, "POST", f"/campaigns/{c['id']}/resume")
    await _make_due(service)
    done = await run(service, c["id"])
    assert done["status"] == "done"
    assert done["progress"]["sent"] == 6
    assert len(service.tg.calls_to("sendMessage")) == 6


async def test_cancel_stops_pending_and_queued(service: Service) -> None:
    await add_people(service, "telegram", [str(500 + n) for n in range(4)])
    c = await new_campaign(service, "telegram", text="Sale")
    await api(service, "POST", f"/campaigns/{c['id']}/send")
    await service.rt.make_dispatcher().run_once()
    cancelled = await api(service, "POST", f"/campaigns/{c['id']}/cancel")
    assert cancelled["status"] == "cancelled"
    await rounds(service, service.rt.make_dispatcher(), 3)
    assert service.tg.calls_to("sendMessage") == []
    progress = (await campaign(service, c["id"]))["progress"]
    assert progress["cancelled"] == 4
    assert progress["sent"] == 0


async def test_blocked_bot_fails_the_recipient_and_marks_them_unreachable(
    service: Service,
) -> None:
    [blocked, fine] = await add_people(service, "telegram", ["601", "602"])
    service.tg.script(
        "sendMessage",
        status=403,
        body={
            "ok": False,
            "error_code": 403,
            "description": "Forbidden: bot was blocked by the user",
        },
    )
    c = await new_campaign(service, "telegram", text="News")
    await api(service, "POST", f"/campaigns/{c['id']}/send")
    done = await run(service, c["id"])
    assert done["progress"]["sent"] == 1
    assert done["progress"]["failed"] == 1
    # the fake refuses whichever send reaches it first (the two go out concurrently)
    [failed] = await recipients(service, c["id"], status="failed")
    [sent] = await recipients(service, c["id"], status="sent")
    assert {failed["contact_id"], sent["contact_id"]} == {blocked, fine}
    assert "blocked" in failed["error"]
    assert (await flags(service, failed["contact_id"])).unreachable is True
    assert (await flags(service, sent["contact_id"])).unreachable is False


async def test_vk_sends_100_peers_per_call_and_901_fails_only_that_peer(
    service: Service,
) -> None:
    peers = [str(700000 + n) for n in range(230)]
    ids = await add_people(service, "vk", peers)
    service.vk.refuse_peer(int(peers[7]), 901)
    c = await new_campaign(service, "vk", text="Same text for everyone")
    await api(service, "POST", f"/campaigns/{c['id']}/send")
    done = await run(service, c["id"])
    assert done["status"] == "done"
    assert done["progress"]["sent"] == 229
    assert done["progress"]["failed"] == 1
    calls = service.vk.calls_to("messages.send")
    sizes = [len(call.params["peer_ids"].split(",")) for call in calls]
    assert max(sizes) <= 100
    assert sum(sizes) == 230
    assert len(calls) >= 3
    assert sorted(service.vk.delivered_to()) == sorted(int(p) for p in peers if p != peers[7])
    [failed] = await recipients(service, c["id"], status="failed")
    assert failed["contact_id"] == ids[7]
    assert "901" in failed["error"]
    assert (await flags(service, ids[7])).unreachable is True


async def test_a_reply_after_a_campaign_is_labelled(service: Service) -> None:
    await add_people(service, "telegram", ["5123456789"])
    c = await new_campaign(service, "telegram", text="Tell us what you think")
    await api(service, "POST", f"/campaigns/{c['id']}/send")
    assert (await run(service, c["id"]))["progress"]["sent"] == 1
    payload = load_payload("telegram", "message__dm_text")
    r = await post_telegram(service.client, service.accounts["telegram"]["id"], payload)
    assert r.status_code == 200
    await service.drain()
    [conv] = await service.conversations(channel="telegram")
    assert f"campaign:{c['id']}" in conv["labels"]


async def test_selling_share_report(service: Service) -> None:
    await add_people(service, "telegram", ["801"])
    for tag in ("useful", "useful", "useful", "selling"):
        c = await new_campaign(service, "telegram", text="x", tag=tag)
        await api(service, "POST", f"/campaigns/{c['id']}/send")
    await new_campaign(service, "telegram", text="draft", tag="selling")  # not started
    report = await api(
        service,
        "GET",
        "/campaigns/selling-share",
        params={"account_id": service.accounts["telegram"]["id"]},
    )
    assert report["campaigns"] == 4
    assert report["selling"] == 1
    assert report["selling_share"] == 0.25
    assert report["within_rule"] is False


async def _make_due(service: Service) -> None:
    """Rows a paused campaign put back wait ~2 s; make them due now (no sleeping in tests)."""
    from sqlalchemy import update

    from inbox.db import Conn
    from inbox.outbox.models import OutboxRow
    from inbox.types import utcnow
    from tests.support.units import in_unit

    outbox = OutboxRow.__table__  # type: ignore[attr-defined]

    async def body(conn: Conn) -> None:
        await conn.execute(
            update(outbox).where(outbox.c.status == "queued").values(available_at=utcnow())
        )

    await in_unit(service.rt.engine, body)
