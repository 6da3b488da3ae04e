"""Mount the web inbox on the app: static files, pages, sign-in redirects, HTML error pages."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.web import (
    i18n,
    pages_admin,
    pages_auth,
    pages_inbox,
    pages_inbox_fragments,
    pages_newsletters,
    pages_reports,
)
from api.web.headers import SecurityHeaders
from api.web.page_deps import NeedsSignIn
from api.web.templating import render

_MESSAGES = {403: "error.forbidden", 404: "error.not_found"}


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/webhooks/", "/static/")):
        return False
    return "text/html" in request.headers.get("accept", "")


def mount_web(app: FastAPI) -> None:
    static_dir = resources.files("api.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static_dir)), name="static")
    app.include_router(pages_auth.router)
    app.include_router(pages_admin.router)
    app.include_router(pages_inbox.router)
    app.include_router(pages_inbox_fragments.router)
    app.include_router(pages_reports.router)
    app.include_router(pages_newsletters.router)
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(NeedsSignIn)
    async def to_sign_in(_request: Request, exc: NeedsSignIn) -> Response:
        return RedirectResponse(exc.location, status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def html_errors(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code in _MESSAGES and _wants_html(request):
            t = i18n.Translator(i18n.choose(request))
            return render(
                request,
                "error.html",
                {"status": exc.status_code, "message": t(_MESSAGES[exc.status_code])},
                status_code=exc.status_code,
            )
        return await http_exception_handler(request, exc)
