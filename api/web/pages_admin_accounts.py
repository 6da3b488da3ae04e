"""``/admin/accounts``: the channel accounts, each with its webhook URL and set-up steps."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import RuntimeDep, SessionDep
from api.web.page_deps import PageAdmin
from api.web.templating import render
from bots.telegram.webhook_setup import ALLOWED_UPDATES
from bots.vk import HANDLERS as VK_EVENTS
from inbox.accounts import service

router = APIRouter(include_in_schema=False)

CHANNELS = ("telegram", "vk", "facebook", "instagram")
VK_API_VERSION = "5.199"
META_FIELDS = {
    "facebook": ("messages", "messaging_postbacks", "message_echoes", "feed"),
    "instagram": ("messages", "comments"),
}


@router.get("/admin/accounts")
async def accounts_page(
    request: Request, rt: RuntimeDep, session: SessionDep, _admin: PageAdmin
) -> HTMLResponse:
    settings = rt.settings
    # Without PUBLIC_URL the API's URLs are paths; show them on the host this page came from.
    base = "" if settings.public_url else str(request.base_url).rstrip("/")
    accounts: list[dict[str, Any]] = []
    for account in await service.list_accounts(session):
        public = service.to_public(account, settings.public_url)
        accounts.append({**public.model_dump(), "full_webhook_url": base + public.webhook_url})
    return render(
        request,
        "admin/accounts.html",
        {
            "accounts": accounts,
            "channels": CHANNELS,
            "public_url": settings.public_url,
            "telegram_api_base": settings.telegram_api_base.rstrip("/"),
            "telegram_updates": ALLOWED_UPDATES,
            "vk_api_version": VK_API_VERSION,
            "vk_events": sorted(VK_EVENTS),
            "meta_fields": META_FIELDS,
            "verify_token_set": settings.facebook_verify_token is not None,
            "app_secret_set": settings.facebook_app_secret is not None,
        },
    )
