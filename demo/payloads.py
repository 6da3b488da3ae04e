"""Webhook bodies exactly as the platforms send them (the same shapes as the fixtures in
tests/payloads), and the headers that sign them as each platform would.

Every builder takes the ids it should carry, so one scenario always yields the same bodies:
redelivered, they are dropped as duplicates like a platform's retries.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from demo.scenario import Person, Post

TG_GROUP = -1002000000042  # the channel's linked discussion group
TG_CHANNEL = {
    "id": -1002000000041,
    "title": "Acme Coffee News",
    "username": "acme_coffee_news",
    "type": "channel",
}
TG_GROUP_CHAT = {
    "id": TG_GROUP,
    "title": "Acme Coffee Chat",
    "username": "acme_coffee_chat",
    "type": "supergroup",
}


def _tg_user(p: Person) -> dict[str, Any]:
    user: dict[str, Any] = {"id": int(p.id), "is_bot": False, "first_name": p.first_name}
    if p.last_name:
        user["last_name"] = p.last_name
    if p.username:
        user["username"] = p.username
    user["language_code"] = p.lang
    return user


def _tg_private_chat(p: Person) -> dict[str, Any]:
    chat = {k: v for k, v in _tg_user(p).items() if k in ("id", "first_name", "last_name")}
    if p.username:
        chat["username"] = p.username
    return {**chat, "type": "private"}


def telegram_dm(update_id: int, message_id: int, p: Person, text: str, ts: int) -> dict[str, Any]:
    message = {
        "message_id": message_id,
        "from": _tg_user(p),
        "chat": _tg_private_chat(p),
        "date": ts,
        "text": text,
    }
    return {"update_id": update_id, "message": message}


def telegram_edit(
    update_id: int, message_id: int, p: Person, text: str, ts: int, edit_ts: int
) -> dict[str, Any]:
    message = {
        "message_id": message_id,
        "from": _tg_user(p),
        "chat": _tg_private_chat(p),
        "date": ts,
        "edit_date": edit_ts,
        "text": text,
    }
    return {"update_id": update_id, "edited_message": message}


def telegram_comment(
    update_id: int, message_id: int, p: Person, text: str, ts: int, post: Post, post_ts: int
) -> dict[str, Any]:
    """A comment under a channel post: a group message answering the post's automatic copy."""
    copy = {
        "message_id": int(post.id),
        "from": {"id": 777000, "is_bot": False, "first_name": "Telegram"},
        "sender_chat": TG_CHANNEL,
        "chat": TG_GROUP_CHAT,
        "date": post_ts + 5,
        "forward_origin": {
            "type": "channel",
            "chat": TG_CHANNEL,
            "message_id": 318,
            "date": post_ts,
        },
        "is_automatic_forward": True,
        "text": post.text,
    }
    message = {
        "message_id": message_id,
        "message_thread_id": int(post.id),
        "from": _tg_user(p),
        "chat": TG_GROUP_CHAT,
        "date": ts,
        "reply_to_message": copy,
        "text": text,
    }
    return {"update_id": update_id, "message": message}


def vk_message_new(
    group_id: int,
    secret: str,
    event_id: str,
    message_id: int,
    cmid: int,
    p: Person,
    text: str,
    ts: int,
) -> dict[str, Any]:
    message = {
        "date": ts,
        "from_id": int(p.id),
        "id": message_id,
        "version": 10_000_000 + message_id,
        "out": 0,
        "fwd_messages": [],
        "important": False,
        "is_hidden": False,
        "attachments": [],
        "conversation_message_id": cmid,
        "text": text,
        "peer_id": int(p.id),
        "random_id": 0,
    }
    client_info = {
        "button_actions": ["text", "vkpay", "open_app", "location", "open_link", "callback"],
        "keyboard": True,
        "inline_keyboard": True,
        "carousel": True,
        "lang_id": 0,
    }
    return {
        "group_id": group_id,
        "type": "message_new",
        "event_id": event_id,
        "v": "5.199",
        "object": {"message": message, "client_info": client_info},
        "secret": secret,
    }


def vk_wall_reply_new(
    group_id: int,
    secret: str,
    event_id: str,
    comment_id: int,
    p: Person,
    text: str,
    ts: int,
    post: Post,
) -> dict[str, Any]:
    comment = {
        "id": comment_id,
        "from_id": int(p.id),
        "post_id": int(post.id),
        "owner_id": -group_id,
        "parents_stack": [],
        "date": ts,
        "text": text,
        "thread": {"count": 0},
        "post_owner_id": -group_id,
    }
    return {
        "group_id": group_id,
        "type": "wall_reply_new",
        "event_id": event_id,
        "v": "5.199",
        "object": comment,
        "secret": secret,
    }


def meta_message(
    obj: str, account_id: str, sender: str, mid: str, text: str, ts_ms: int
) -> dict[str, Any]:
    """A Messenger (``obj="page"``) or Instagram (``obj="instagram"``) DM."""
    messaging = {
        "sender": {"id": sender},
        "recipient": {"id": account_id},
        "timestamp": ts_ms,
        "message": {"mid": mid, "text": text},
    }
    return {
        "object": obj,
        "entry": [{"id": account_id, "time": ts_ms + 250, "messaging": [messaging]}],
    }


def facebook_comment(
    page_id: str, p: Person, post: Post, comment_id: str, text: str, ts: int
) -> dict[str, Any]:
    post_id = f"{page_id}_{post.id}"
    value = {
        "from": {"id": p.id, "name": f"{p.first_name} {p.last_name}".strip()},
        "post": {
            "status_type": "added_photos",
            "is_published": True,
            "permalink_url": f"https://www.facebook.com/{page_id}/posts/{post.id}",
            "promotion_status": "inactive",
            "id": post_id,
        },
        "message": text,
        "post_id": post_id,
        "comment_id": f"{post.id}_{comment_id}",
        "created_time": ts,
        "item": "comment",
        "parent_id": post_id,
        "verb": "add",
    }
    change = {"field": "feed", "value": value}
    return {"object": "page", "entry": [{"id": page_id, "time": ts + 5, "changes": [change]}]}


def instagram_comment(
    ig_user_id: str, p: Person, media: Post, comment_id: str, text: str, ts: int
) -> dict[str, Any]:
    value = {
        "from": {"id": p.id, "username": p.username},
        "media": {"id": media.id, "media_product_type": "FEED"},
        "id": comment_id,
        "text": text,
    }
    change = {"field": "comments", "value": value}
    return {"object": "instagram", "entry": [{"id": ig_user_id, "time": ts, "changes": [change]}]}


def meta_signature(body: bytes, app_secret: str) -> str:
    """``X-Hub-Signature-256``: HMAC-SHA256 of the raw body with the app secret."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def vk_event_id(seed: str) -> str:
    """A 40-hex event id, like VK's, stable for a given delivery."""
    return hashlib.sha1(seed.encode(), usedforsecurity=False).hexdigest()
