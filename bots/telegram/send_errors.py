"""aiogram's exceptions, translated into the outbox's four kinds of failure.

aiogram classifies Bot API errors by HTTP status only (never by their text), so a 403 means
different things depending on where the message was going: to a person who blocked the bot
(gone), to a commenter who never started a chat with it (this reply only), or to a group the
bot may not post in (this reply only). The caller says which with :class:`Destination`.
"""

from __future__ import annotations

from enum import Enum

from aiogram.exceptions import (
    AiogramError,
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)

from inbox.channels import ChannelError, RateLimited, RecipientGone, Refused, TransientError


class Destination(Enum):
    PERSON = "person"  # a direct message to someone who wrote to the bot
    PRIVATE_REPLY = "private_reply"  # a commenter answered in their private chat
    GROUP = "group"  # a discussion group: public comment replies and deletes


# Fixed-meaning statuses whose message is Telegram's own description.
_STATUS: tuple[tuple[type[TelegramAPIError], int], ...] = (
    (TelegramBadRequest, 400),
    (TelegramUnauthorizedError, 401),
    (TelegramNotFound, 404),
    (TelegramConflictError, 409),
    (TelegramEntityTooLarge, 413),
)
# What a 403 says when the person, not the bot's rights, is the problem.
_GONE_MARKERS = ("blocked by the user", "user is deactivated")


def translate(exc: AiogramError, destination: Destination) -> ChannelError:
    """One aiogram exception to the error the outbox acts on."""
    if isinstance(exc, TelegramRetryAfter):
        return RateLimited(float(exc.retry_after), f"Telegram 429: retry after {exc.retry_after}s")
    if isinstance(exc, TelegramMigrateToChat):
        return Refused(
            f"Telegram: the group became supergroup {exc.migrate_to_chat_id}; "
            "the conversation must be re-linked to the new chat"
        )
    if isinstance(exc, TelegramForbiddenError):
        return _forbidden(exc.message, destination)
    for cls, status in _STATUS:  # before network errors: 413 subclasses TelegramNetworkError
        if isinstance(exc, cls):
            return Refused(f"Telegram {status}: {exc.message}")
    if isinstance(exc, TelegramServerError):
        return TransientError(f"Telegram 5xx: {exc.message}")
    if isinstance(exc, TelegramNetworkError):
        return TransientError(f"Telegram unreachable: {exc.message}")
    if isinstance(exc, ClientDecodeError):
        return TransientError("Telegram answered something that is not a Bot API response")
    if isinstance(exc, TelegramAPIError):  # an unclassified status: retry, the outbox caps it
        return TransientError(f"Telegram error: {exc.message}")
    return Refused(f"Telegram client error: {exc}")


def _forbidden(description: str, destination: Destination) -> ChannelError:
    reason = f"Telegram 403: {description}"
    lowered = description.lower()
    if destination is Destination.PERSON:
        return RecipientGone(reason)
    if destination is Destination.PRIVATE_REPLY:
        if any(marker in lowered for marker in _GONE_MARKERS):
            return RecipientGone(reason)
        return Refused(
            "the commenter has never started a chat with the bot, so Telegram does not let it "
            f"write to them privately ({reason})"
        )
    return Refused(f"the bot may not post or delete in this discussion group ({reason})")
