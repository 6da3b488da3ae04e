"""One loader for the webhook fixtures in ``tests/payloads/<platform>/<event>[__<variant>].json``.

Tests name a payload as ``load_payload("telegram", "message__dm_text")``; the inventory test
finds those literal names in the test sources to prove every fixture is used.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

PAYLOAD_DIR = Path(__file__).resolve().parent.parent / "payloads"


def payload_path(platform: str, name: str) -> Path:
    path = PAYLOAD_DIR / platform / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no fixture {platform}/{name}.json under {PAYLOAD_DIR}")
    return path


def load_payload(platform: str, name: str) -> dict[str, Any]:
    """Parse a fixture; fails fast on a missing file or bad JSON."""
    data = json.loads(payload_path(platform, name).read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{platform}/{name} is not a JSON object"
    return data


def all_payloads() -> list[tuple[str, str]]:
    return sorted((p.parent.name, p.stem) for p in PAYLOAD_DIR.glob("*/*.json"))


def event_name(name: str) -> str:
    """``message__dm_text`` -> ``message``: the platform event a fixture shows."""
    return name.split("__", 1)[0]


def sign_facebook(body: bytes, app_secret: str) -> str:
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"
