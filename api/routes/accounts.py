"""``/api/v1/accounts``: connect channel accounts (admin) and list them."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentAdmin, CurrentUser, RuntimeDep, SessionDep
from bots.account_forms import AccountIn
from inbox.accounts import service
from inbox.accounts.schemas import AccountOut

router = APIRouter(prefix="/api/v1", tags=["accounts"])


@router.post("/accounts", status_code=201)
async def create_account(
    data: AccountIn, rt: RuntimeDep, session: SessionDep, _admin: CurrentAdmin
) -> AccountOut:
    account = await service.create_account(session, data)
    public = service.to_public(account, rt.settings.public_url)
    # A platform told where to send by a call (Telegram's setWebhook) is told now; refused
    # (502) or impossible (422), the transaction rolls back and nothing is half-made.
    public.webhook_registered = await data.connect(public.webhook_url, rt.settings)
    rt.accounts.forget()
    return public


@router.get("/accounts")
async def list_accounts(
    rt: RuntimeDep, session: SessionDep, _user: CurrentUser
) -> list[AccountOut]:
    return [
        service.to_public(a, rt.settings.public_url) for a in await service.list_accounts(session)
    ]
