"""The app's own description of its API, for the contract tests of ``/api/v1``."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from api.app import create_app
from inbox.settings import Settings


def make_app() -> FastAPI:
    """An app that is only read (its routes and schema): nothing is started or connected."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        environment="test",
        database_url="sqlite+aiosqlite:///:memory:",
        secret_key="test-secret-key-" + "x" * 32,
    )
    return create_app(settings)


def api_routes(app: FastAPI) -> Iterator[RouteContext]:
    """Every route under ``/api/v1``, those of included routers too (FastAPI keeps each
    included router behind one entry of ``app.routes``)."""
    for route in iter_route_contexts(app.routes):
        if isinstance(route.route, APIRoute) and (route.path or "").startswith("/api/v1"):
            yield route
