"""A Bot API call made in the webhook's own answer, once the update is durable.

Telegram lets a webhook answer with ``{"method": ..., ...}`` and performs that call itself
(the Bot API's "Making requests when getting updates"): no request of ours, no wait. A button
press is answered this way with ``answerCallbackQuery``, so the person's app stops its spinner
at once, rather than after the worker and the outbox have had their turn. Telegram does not
report the call's outcome; a spinner left turning is all a failure costs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def webhook_answer(payload: Mapping[str, Any]) -> dict[str, str] | None:
    """The call to return for this update, if any."""
    query = payload.get("callback_query")
    if not isinstance(query, Mapping):
        return None
    query_id = query.get("id")
    if not isinstance(query_id, str) or not query_id:
        return None
    return {"method": "answerCallbackQuery", "callback_query_id": query_id}
