"""A sender that dies mid-call, and a new process on the same database that finishes the job:
every person gets the newsletter at most once. VK drops the repeat by random_id; Telegram has
no such key, so its rows cut mid-call are reported, not resent, while those not called yet
are sent."""

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


async def test_telegram_rows_not_called_yet_go_out_after_a_crash(service: Service) -> None:
    """A sender waiting for its bot's slots dies: the rows it had called are reported (they
    may have arrived), the ones it had not called are sent by the next process, once."""
    chats = [str(830 + n) for n in range(5)]
    await add_people(service, "telegram", chats)
    c = await new_campaign(service, "telegram", text="Once only")
    await api(service, "POST", f"/campaigns/{c['id']}/send")
    slow = service.rt.settings.model_copy(update={"telegram_messages_per_second": 1.0})
    first = Runtime(slow, queue_prefix=service.rt.queue_prefix)
    try:
        route = "sendMessage"
        service.tg.script(route, body=lambda call: service.tg.success(call).body, delay=5.0)
        await first.make_dispatcher().run_once()
        task = asyncio.create_task(first.make_sender().run_once())
        while not service.tg.calls_to(route):
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)  # the others wait for the bot's next slot, a second away
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    finally:
        await first.stop()
    reached = {call.params["chat_id"] for call in service.tg.calls_to(route)}
    assert len(reached) == 1
    service.tg.reset()
    done = await _finish_in_a_new_process(service, c["id"])
    again = [call.params["chat_id"] for call in service.tg.calls_to(route)]
    assert sorted(again) == sorted(set(chats) - reached)  # each of the rest once, none twice
    assert done["progress"]["sent"] == 4
    assert done["progress"]["failed"] == 1
    path = f"/campaigns/{c['id']}/recipients"
    [cut] = (await api(service, "GET", path, params={"status": "failed"}))["items"]
    assert cut["peer_id"] in reached
    assert "may have reached" in cut["error"]
