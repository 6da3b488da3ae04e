"""A sender that dies mid-call, and a new process on the same database that finishes the job:
every person gets the newsletter at most once. VK drops the repeat by random_id; Telegram has
no such key, so its interrupted rows are reported, not resent."""

from __future__ import annotations

import asyncio
from typing import Any

from api.runtime import Runtime
from tests.newsletters.campaign_helpers import add_people, api, campaign, new_campaign
from tests.newsletters.conftest import Service


async def _die_mid_call(service: Service, route: str, fake: Any) -> None:
    """The platform makes the messages, then the sender dies before it hears back."""
    fake.script(route, body=lambda call: fake.success(call).body, delay=5.0, times=None)
    await service.rt.make_dispatcher().run_once()
    task = asyncio.create_task(service.rt.make_sender().run_once())
    while not fake.calls_to(route):
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)  # let the rest of the batch reach the fake too
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    fake.reset()


async def _finish_in_a_new_process(service: Service, campaign_id: int) -> dict[str, Any]:
    await asyncio.sleep(service.rt.settings.queue_lease_seconds + 0.2)  # the dead lease ends
    rt = Runtime(service.rt.settings, queue_prefix=service.rt.queue_prefix)
    try:
        dispatcher, sender = rt.make_dispatcher(), rt.make_sender()
        for _ in range(100):
            moved = await dispatcher.run_once()
            sent = await sender.run_once()
            found = await campaign(service, campaign_id)
            if found["status"] == "done" and not moved and not sent:
                return found
        return await campaign(service, campaign_id)
    finally:
        await rt.stop()


async def test_vk_resend_after_a_crash_reaches_nobody_twice(service: Service) -> None:
    peers = [str(810000 + n) for n in range(120)]
    await add_people(service, "vk", peers)
    c = await new_campaign(service, "vk", text="Once only")
    await api(service, "POST", f"/campaigns/{c['id']}/send")
    await _die_mid_call(service, "messages.send", service.vk)
    assert service.vk.delivered_to()  # some got it before the crash
    done = await _finish_in_a_new_process(service, c["id"])
    assert done["progress"]["sent"] == 120
    assert sorted(service.vk.delivered_to()) == sorted(int(p) for p in peers)


async def test_telegram_rows_cut_mid_call_are_reported_not_resent(service: Service) -> None:
    chats = [str(820 + n) for n in range(5)]
    await add_people(service, "telegram", chats)
    c = await new_campaign(service, "telegram", text="Once only")
    await api(service, "POST", f"/campaigns/{c['id']}/send")
    await _die_mid_call(service, "sendMessage", service.tg)
    done = await _finish_in_a_new_process(service, c["id"])
    assert service.tg.calls_to("sendMessage") == []  # nothing sent a second time
    assert done["progress"]["failed"] == 5
    page = await api(service, "GET", f"/campaigns/{c['id']}/recipients")
    assert all("may have reached" in r["error"] for r in page["items"])
