"""The Callback API ``secret`` check: a shared string in the body, not a signature."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any


def verify_secret(payload: Mapping[str, Any], expected: str | None) -> bool:
    """True only if the body's ``secret`` equals ``expected``, compared in constant time.

    An unset ``expected`` accepts nothing, so a community configured without a secret cannot
    be fed forged events. Strings are compared as UTF-8 bytes because ``compare_digest``
    refuses non-ASCII ``str``.
    """
    if not expected or not isinstance(payload, Mapping):
        return False
    secret = payload.get("secret")
    if not isinstance(secret, str):
        return False
    return hmac.compare_digest(secret.encode(), expected.encode())
