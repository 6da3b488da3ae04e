"""Sign in, sign out, and the language switch."""

from __future__ import annotations

import hmac
import math
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import RuntimeDep, SessionDep
from api.web import cookies, csrf, i18n
from api.web.page_deps import PageUser
from api.web.templating import render
from inbox.sessions import service as sessions
from inbox.users.service import authenticate

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never ``//evil.example`` or ``https://…`` (open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/inbox"
    return target


def _login_page(
    request: Request, next_path: str, *, error: str = "", email: str = "", status: int = 200
) -> HTMLResponse:
    token = request.cookies.get(cookies.LOGIN_CSRF) or secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        {"next": next_path, "error": error, "email": email, "login_csrf": token},
        status_code=status,
    )
    response.set_cookie(
        cookies.LOGIN_CSRF, token, max_age=3600, path="/login", httponly=True, samesite="strict"
    )
    return response


@router.get("/login")
async def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return _login_page(request, safe_next(next))


@router.post("/login", response_model=None)
async def login(
    request: Request,
    rt: RuntimeDep,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/inbox",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    t = i18n.Translator(i18n.choose(request))
    target = safe_next(next)
    expected = request.cookies.get(cookies.LOGIN_CSRF, "")
    if (
        not csrf.same_origin(request)
        or not expected
        or not hmac.compare_digest(expected.encode(), csrf_token.encode())
    ):
        return _login_page(request, target, error=t("login.expired"), email=email, status=403)
    ip = request.client.host if request.client else "unknown"
    wait = await rt.login_guard.admit(ip, email)
    if wait > 0:
        response = _login_page(
            request,
            target,
            error=t("login.throttled", minutes=max(1, math.ceil(wait / 60))),
            email=email,
            status=429,
        )
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    user = await authenticate(session, email, password)
    if user is None or user.id is None:
        return _login_page(request, target, error=t("login.wrong"), email=email, status=401)
    token = await sessions.start(
        session,
        user.id,
        ttl=timedelta(hours=rt.settings.session_max_age_hours),
        user_agent=request.headers.get("user-agent", ""),
        ip=ip,
    )
    redirect = RedirectResponse(target, status_code=303)
    cookies.set_session(redirect, request, rt.settings, token)
    redirect.delete_cookie(cookies.LOGIN_CSRF, path="/login")
    return redirect


@router.post("/logout")
async def logout(request: Request, session: SessionDep, _user: PageUser) -> RedirectResponse:
    token = cookies.session_token(request)
    if token:
        await sessions.end(session, token)
    redirect = RedirectResponse("/login", status_code=303)
    cookies.clear_session(redirect)
    return redirect


@router.post("/language")
async def set_language(
    request: Request,
    lang: Annotated[str, Form(max_length=8)],
    back: Annotated[str, Form(max_length=2000)] = "/inbox",
) -> RedirectResponse:
    """Works signed out too (the sign-in page has the switch): it changes only a preference."""
    redirect = RedirectResponse(safe_next(back), status_code=303)
    if lang in i18n.LANGUAGES and csrf.same_origin(request):
        redirect.set_cookie(
            cookies.LANGUAGE, lang, max_age=365 * 86400, path="/", samesite="lax", httponly=True
        )
    return redirect


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/inbox", status_code=303)
