"""Live updates for the agents' screens: events after commit, fanned out to every API process.

Contract (the web inbox's JavaScript is written against it; ``GET /api/v1/live`` streams it):

- ``conversation`` — ``{"conversation_id": 12, "reason": "message" | "update" | "delivery"}``:
  a message arrived or changed (worker, a reply or note), the conversation's fields changed
  (PATCH, moderation), or an outbound message's delivery status became sent/failed.
- ``presence`` — ``{"conversation_id": 12, "viewers": [{"user_id", "name", "typing"}]}``:
  who has the conversation open, sent when that set or a typing flag changes.

Events are published only after the data is committed, and say what changed, not what it is
now: a page re-reads through the REST API. A stream that ends (lost Redis, a subscriber too
slow, a restart) may have missed events; the page re-reads when it reconnects.
"""

from inbox.live.bus import LiveBus, LocalLiveBus, Subscription, SubscriptionEnded
from inbox.live.events import LiveEvent, Reason, conversation_changed, presence_changed
from inbox.live.hooks import after_commit, publish_committed, publish_quietly
from inbox.live.presence import LocalPresence, PresenceRegistry, RedisPresence, Seen, Viewer
from inbox.live.redis_bus import RedisLiveBus

__all__ = [
    "LiveBus",
    "LiveEvent",
    "LocalLiveBus",
    "LocalPresence",
    "PresenceRegistry",
    "Reason",
    "RedisLiveBus",
    "RedisPresence",
    "Seen",
    "Subscription",
    "SubscriptionEnded",
    "Viewer",
    "after_commit",
    "conversation_changed",
    "presence_changed",
    "publish_committed",
    "publish_quietly",
]
