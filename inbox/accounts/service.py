"""Creating and finding channel accounts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from inbox.accounts.models import Account
from inbox.accounts.schemas import AccountForm, AccountOut
from inbox.errors import Conflict
from inbox.platforms import traits_of

_accounts = Account.__table__  # type: ignore[attr-defined]


class AccountExists(Conflict):
    pass


async def create_account(session: AsyncSession, data: AccountForm) -> Account:
    """Add the account (the caller commits); AccountExists if this platform id is taken."""
    stored = data.stored()
    account = Account(
        channel=data.channel,
        name=data.name,
        external_id=stored.external_id,
        token=stored.token,
        webhook_secret=stored.webhook_secret,
        secret=stored.secret,
        confirmation_code=stored.confirmation_code,
        options=dict(stored.options),
    )
    existing = await session.scalar(
        select(_accounts.c.id).where(
            _accounts.c.channel == account.channel,
            _accounts.c.external_id == account.external_id,
        )
    )
    if existing is not None:
        raise AccountExists(f"a {account.channel} account with id {account.external_id} exists")
    session.add(account)
    try:
        await session.flush()
    except IntegrityError as exc:  # lost a race with another request
        raise AccountExists(
            f"a {account.channel} account with id {account.external_id} exists"
        ) from exc
    return account


def webhook_url(account: Account, public_url: str | None) -> str:
    assert account.id is not None
    return traits_of(account.channel).webhook_url(public_url, account.id)


def to_public(account: Account, public_url: str | None) -> AccountOut:
    assert account.id is not None
    options = account.options or {}
    traits = traits_of(account.channel)
    window, moderation = traits.window, traits.moderation_option
    return AccountOut(
        id=account.id,
        channel=account.channel,
        name=account.name,
        external_id=account.external_id,
        webhook_url=webhook_url(account, public_url),
        is_active=account.is_active,
        created_at=account.created_at,
        can_moderate=bool(options.get(moderation)) if moderation else None,
        allow_human_agent=(
            bool(options.get(window.tag_option)) if window and window.tag_option else None
        ),
    )


async def list_accounts(session: AsyncSession) -> list[Account]:
    return list((await session.scalars(select(Account).order_by(_accounts.c.id))).all())
