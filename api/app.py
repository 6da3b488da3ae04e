"""The FastAPI application: webhooks, REST API, operations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from api.errors import install as install_error_handler
from api.routes import (
    accounts,
    attachments,
    auth,
    campaigns,
    canned,
    contacts,
    conversation_actions,
    conversations,
    csat,
    dead_letters,
    live,
    ops,
    people,
    presence,
    reports,
    rules,
    sla,
    subscribers,
)
from api.runtime import Runtime
from api.web.wiring import mount_web
from api.webhooks import facebook, telegram, vk
from api.webhooks.fast_path import WebhookFastPath
from inbox.settings import Settings, get_settings


class OmniboxApp(FastAPI):
    """FastAPI, with webhook deliveries taking the short way (api/webhooks/fast_path.py)."""

    _webhooks = WebhookFastPath(
        [*telegram.router.routes, *vk.router.routes, *facebook.router.routes]
    )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if WebhookFastPath.wants(scope) and await self._webhooks.handle(self, scope, receive, send):
            return
        await super().__call__(scope, receive, send)


def create_app(
    settings: Settings | None = None,
    *,
    run_worker: bool = False,
    runtime: Runtime | None = None,
) -> FastAPI:
    """``run_worker`` puts the worker loop in this process (``omnibox serve``)."""
    settings = settings or get_settings()
    rt = runtime or Runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await rt.start(intake=True, worker=run_worker)
        try:
            yield
        finally:
            await rt.stop()

    app = OmniboxApp(
        title="omnibox",
        version="0.1.0",
        description="Unified inbox for Telegram, VK, Facebook and Instagram.",
        lifespan=lifespan,
    )
    app.state.runtime = rt
    for router in (
        telegram.router,
        vk.router,
        facebook.router,
        auth.router,
        accounts.router,
        conversations.router,
        conversation_actions.router,
        attachments.router,
        contacts.router,
        canned.router,
        csat.router,
        presence.router,
        live.router,
        dead_letters.router,
        people.router,
        rules.router,
        reports.router,
        sla.router,
        campaigns.router,
        subscribers.router,
        ops.router,
    ):
        app.include_router(router)

    mount_web(app)
    install_error_handler(app)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": _jsonable(exc.errors())})

    return app


def _jsonable(errors: object) -> object:
    """Validation errors without the rejected input (it may hold a password or a token, and
    raw bytes), so the response is always serialisable and never echoes a secret."""
    if isinstance(errors, list):
        return [_jsonable(e) for e in errors]
    if isinstance(errors, dict):
        return {k: _jsonable(v) for k, v in errors.items() if k not in ("ctx", "input")}
    if isinstance(errors, bytes | bytearray):
        return errors.decode("utf-8", "replace")
    return errors
