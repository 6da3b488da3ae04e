"""Find a message's attachment and the account that may fetch it (read side)."""

from __future__ import annotations

from sqlalchemy import select

from inbox.accounts.models import Account
from inbox.conversations.repository import messages
from inbox.db import Conn
from inbox.errors import NotFound
from inbox.media import MediaSource, attachment_from
from inbox.outbound import AccountAuth

_accounts = Account.__table__  # type: ignore[attr-defined]


class AttachmentNotFound(NotFound):
    pass


async def find_attachment(
    conn: Conn, message_id: int, index: int, *, original: bool = False
) -> MediaSource:
    """Attachment ``index`` of a message that still exists (a deleted one shows nothing)."""
    row = (
        await conn.execute(
            select(
                messages.c.attachments,
                messages.c.deleted_at,
                _accounts.c.id,
                _accounts.c.channel,
                _accounts.c.external_id,
                _accounts.c.token,
                _accounts.c.options,
            )
            .join(_accounts, _accounts.c.id == messages.c.account_id)
            .where(messages.c.id == message_id)
        )
    ).first()
    if row is None or row.deleted_at is not None:
        raise AttachmentNotFound("no such message")
    stored = row.attachments or []
    if not 0 <= index < len(stored) or not isinstance(stored[index], dict):
        raise AttachmentNotFound(f"the message has no attachment {index}")
    account = AccountAuth.of(row)
    return MediaSource(account, attachment_from(stored[index]), original=original)
