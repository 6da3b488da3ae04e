"""Door checks for Meta webhooks: the ``X-Hub-Signature-256`` HMAC and the GET handshake.

Both compare in constant time and fail closed: no secret configured means nothing passes,
and a malformed header is a forgery, not an error.
"""

from __future__ import annotations

import hashlib
import hmac
import string
from collections.abc import Mapping

_PREFIX = "sha256="
_HEX = frozenset(string.hexdigits)


def verify_signature(body: bytes, header_value: str | None, app_secret: str | None) -> bool:
    """True only if ``header_value`` is ``sha256=<hex HMAC-SHA256(app_secret, body)>``.

    ``body`` must be the raw request bytes: re-serialised JSON does not match.
    """
    if not app_secret or not header_value:
        return False
    header = header_value.strip()
    if not header.startswith(_PREFIX):
        return False
    digest = header[len(_PREFIX) :].lower()
    # compare_digest refuses non-ASCII str, so reject anything but hex before comparing.
    if len(digest) != hashlib.sha256().digest_size * 2 or not _HEX.issuperset(digest):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, digest)


def verify_handshake(params: Mapping[str, str], verify_token: str | None) -> str | None:
    """The ``hub.challenge`` to echo back, or None when the handshake must get a 403."""
    if not verify_token:
        return None
    mode = params.get("hub.mode")
    token = params.get("hub.verify_token")
    challenge = params.get("hub.challenge")
    if mode != "subscribe" or not isinstance(token, str) or not isinstance(challenge, str):
        return None
    if not challenge:
        return None
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    return challenge
