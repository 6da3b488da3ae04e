"""``/api/v1/accounts``: connect channel accounts (admin) and list them."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from api.deps import CurrentAdmin, CurrentUser, RuntimeDep, SessionDep
from bots.telegram.webhook_setup import register_webhook
from inbox.accounts import service
from inbox.accounts.schemas import AccountIn, AccountOut, TelegramAccountIn

router = APIRouter(prefix="/api/v1", tags=["accounts"])


@router.post("/accounts", status_code=201)
async def create_account(
    data: AccountIn, rt: RuntimeDep, session: SessionDep, _admin: CurrentAdmin
) -> AccountOut:
    account = await service.create_account(session, data)
    public = service.to_public(account, rt.settings.public_url)
    if isinstance(data, TelegramAccountIn):
        wanted = data.register_webhook
        if wanted is None:
            wanted = rt.settings.public_url is not None
        if wanted:
            if not rt.settings.public_url:
                raise HTTPException(422, "register_webhook needs OMNIBOX_PUBLIC_URL to be set")
            # Refused (502): the transaction rolls back, nothing half-made.
            await register_webhook(
                data.token, public.webhook_url, data.webhook_secret, rt.settings.telegram_api_base
            )
        public.webhook_registered = wanted
    rt.accounts.forget()
    return public


@router.get("/accounts")
async def list_accounts(
    rt: RuntimeDep, session: SessionDep, _user: CurrentUser
) -> list[AccountOut]:
    return [
        service.to_public(a, rt.settings.public_url) for a in await service.list_accounts(session)
    ]
