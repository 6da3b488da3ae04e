"""Check the ``X-Telegram-Bot-Api-Secret-Token`` header Telegram echoes on every webhook.

The secret is the only proof a request came from Telegram (setWebhook ``secret_token``), so
the comparison is constant-time and a bot with no secret configured accepts nothing.
"""

from __future__ import annotations

import hmac

HEADER_NAME = "X-Telegram-Bot-Api-Secret-Token"


def verify_secret_token(header_value: str | None, expected: str | None) -> bool:
    """True only when a secret is configured and the header carries exactly that secret."""
    if not expected or not isinstance(header_value, str):
        return False
    # Bytes, because compare_digest refuses non-ASCII str and a header may carry anything.
    return hmac.compare_digest(
        header_value.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )
