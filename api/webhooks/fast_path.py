"""The webhook deliveries' short way through the application.

A webhook POST is the request the platforms make by the thousand, and the one whose answer they
wait for. FastAPI's per-request machinery (its middleware stack, dependency solving and
exception wrappers) cost about as much as the webhook's own work: secret check, parse, durable
enqueue (bench/ingest, py-spy: 75% of the API process's time was framework). The webhook
handlers take a ``Request`` and return a ``Response``, so they run the same by either road;
this sends a POST under ``/webhooks/`` straight to its handler and everything else (the Meta
GET handshake, the API, the web inbox, ``/docs``) through FastAPI.

The routes are read from the webhook routers that FastAPI also serves, so ``/docs`` documents
them and the two roads cannot disagree on a path.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Receive, Scope, Send

log = logging.getLogger("omnibox.webhooks")

PREFIX = "/webhooks/"
Handler = Callable[[Request], Awaitable[Response]]


class WebhookFastPath:
    """POSTs to the webhook routes among ``routes``, handled without the framework's layers."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self._routes = [
            r
            for r in routes
            if isinstance(r, Route) and r.path.startswith(PREFIX) and "POST" in (r.methods or ())
        ]

    @staticmethod
    def wants(scope: Scope) -> bool:
        return (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and str(scope["path"]).startswith(PREFIX)
        )

    async def handle(self, app: object, scope: Scope, receive: Receive, send: Send) -> bool:
        """Answer the request if it is a webhook delivery; False leaves it to the framework
        (an unknown path, which it answers 404)."""
        for route in self._routes:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope.update(child_scope)
                scope["app"] = app
                response = await _answer(route.endpoint, Request(scope, receive, send))
                if response is not None:
                    await response(scope, receive, send)
                return True
        return False


async def _answer(handler: Handler, request: Request) -> Response | None:
    """The handler's response, with refusals and failures answered as FastAPI would answer
    them (``{"detail": ...}``); None when the platform hung up before the body was read."""
    try:
        return await handler(request)
    except HTTPException as exc:
        return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
    except ClientDisconnect:
        return None
    except Exception:
        # Nothing was acknowledged, so the platform delivers again; 500 tells it to.
        log.exception("webhook %s failed", request.url.path)
        return PlainTextResponse("Internal Server Error", status_code=500)
