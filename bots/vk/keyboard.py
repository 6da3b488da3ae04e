"""Buttons on VK messages, both ways: the inline keyboard sent, and the payload read back.

The buttons are ``text`` buttons: pressing one sends its label as an ordinary ``message_new``
whose ``message.payload`` is the button's payload, which works for every community without
enabling callback buttons (``message_event``) in its settings. VK wants that payload as a JSON
string of at most 255 characters, so ours travels wrapped as ``{"b": "<payload>"}`` and is
unwrapped here on the way in; both directions share :data:`PAYLOAD_KEY` so they cannot drift.
"""

from __future__ import annotations

import json
from typing import Any

from inbox.channels import Refused
from inbox.outbound import Button, button_rows

PAYLOAD_KEY = "b"
PAYLOAD_LIMIT = 255  # characters of a button's JSON payload
LABEL_LIMIT = 40  # characters of a text button's label


def keyboard_json(buttons: tuple[Button, ...]) -> str:
    """``messages.send``'s ``keyboard``: an inline keyboard, five buttons to a row."""
    rows = [[_text_button(button) for button in row] for row in button_rows(buttons)]
    return json.dumps({"inline": True, "buttons": rows}, ensure_ascii=False)


def _text_button(button: Button) -> dict[str, Any]:
    payload = json.dumps({PAYLOAD_KEY: button.payload}, ensure_ascii=False)
    if len(payload) > PAYLOAD_LIMIT:  # a printable 64-byte payload never gets here
        raise Refused(f"the button payload {button.payload!r} is too long for VK")
    action = {"type": "text", "label": button.text[:LABEL_LIMIT], "payload": payload}
    return {"action": action}


def button_payload(raw: str | None) -> str | None:
    """A pressed button's payload: ours unwrapped, anything else (VK's own ``{"command":
    "start"}`` of the Start button, another bot's buttons) as VK sent it."""
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    inner = value.get(PAYLOAD_KEY) if isinstance(value, dict) else None
    return inner if isinstance(inner, str) else raw
