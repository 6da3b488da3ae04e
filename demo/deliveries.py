"""The scenario as the webhook requests the platforms would make, signed, in time order."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from demo import payloads as p
from demo import scenario as s


@dataclass(frozen=True)
class Delivery:
    at: float  # platform time (epoch seconds): the order deliveries are made in
    path: str
    body: bytes
    headers: dict[str, str]


def deliveries(accounts: dict[str, int], started: datetime, app_secret: str) -> list[Delivery]:
    """Every customer message of the scenario; ``accounts`` maps channel -> account id."""
    origin = started.timestamp()
    out: list[Delivery] = []
    update_ids = iter(range(880_000_001, 880_100_000))
    for i, thread in enumerate(s.THREADS):
        for j, said in enumerate(thread.said):
            ts = int(origin - said.hours_ago * 3600)
            post_ts = int(origin - thread.post.hours_ago * 3600) if thread.post else ts
            payload = _payload(thread, i, j, said.text, ts, post_ts, next(update_ids))
            out.append(_signed(thread.channel, accounts, ts, payload, app_secret))
            if said.edited_to is not None:  # Telegram DMs only in the scenario
                edit = p.telegram_edit(
                    next(update_ids),
                    _tg_message_id(i, j),
                    thread.person,
                    said.edited_to,
                    ts,
                    ts + 180,
                )
                out.append(_signed(thread.channel, accounts, ts + 180, edit, app_secret))
    return sorted(out, key=lambda d: d.at)


def _payload(
    thread: s.Thread, i: int, j: int, text: str, ts: int, post_ts: int, update_id: int
) -> Any:
    person, post, seq = thread.person, thread.post, f"{i:02d}{j}"
    if thread.channel == "telegram" and post is None:
        return p.telegram_dm(update_id, _tg_message_id(i, j), person, text, ts)
    if thread.channel == "telegram":
        assert post is not None
        return p.telegram_comment(update_id, 1300 + i * 10 + j, person, text, ts, post, post_ts)
    event_id = p.vk_event_id(f"omnibox-demo:{i}:{j}")
    if thread.channel == "vk" and post is None:
        return p.vk_message_new(
            s.VK_GROUP, s.VK_SECRET, event_id, 20_000 + i * 10 + j, 1 + j, person, text, ts
        )
    if thread.channel == "vk":
        assert post is not None
        return p.vk_wall_reply_new(
            s.VK_GROUP, s.VK_SECRET, event_id, 3000 + i * 10 + j, person, text, ts, post
        )
    if post is None:
        facebook = thread.channel == "facebook"
        obj, account = ("page", s.FB_PAGE) if facebook else ("instagram", s.IG_USER)
        return p.meta_message(obj, account, person.id, _mid(thread.channel, seq), text, ts * 1000)
    if thread.channel == "facebook":
        return p.facebook_comment(s.FB_PAGE, person, post, f"18000000000{seq}", text, ts)
    return p.instagram_comment(s.IG_USER, person, post, f"17990000000{seq}", text, ts)


def _tg_message_id(i: int, j: int) -> int:
    return 2000 + i * 10 + j


def _mid(channel: str, seq: str) -> str:
    encoded = base64.urlsafe_b64encode(f"omnibox-demo-{channel}-{seq}".encode()).decode()
    return ("m_" if channel == "facebook" else "") + encoded.rstrip("=")


def _signed(
    channel: str, accounts: dict[str, int], ts: float, payload: Any, app_secret: str
) -> Delivery:
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json"}
    if channel == "telegram":
        headers["X-Telegram-Bot-Api-Secret-Token"] = s.TG_SECRET
        return Delivery(ts, f"/webhooks/telegram/{accounts['telegram']}", body, headers)
    if channel == "vk":  # VK signs with the ``secret`` inside the body
        return Delivery(ts, f"/webhooks/vk/{accounts['vk']}", body, headers)
    headers["X-Hub-Signature-256"] = p.meta_signature(body, app_secret)
    return Delivery(ts, "/webhooks/facebook", body, headers)
