"""The session cookie: HttpOnly, SameSite=Lax, and ``Secure`` with the ``__Host-`` prefix
whenever the service is reached over HTTPS (directly, or as its PUBLIC_URL says)."""

from __future__ import annotations

from fastapi import Request, Response

from inbox.settings import Settings

PLAIN_NAME = "omnibox_session"
SECURE_NAME = "__Host-omnibox_session"
LOGIN_CSRF = "omnibox_login_csrf"
LANGUAGE = "omnibox_lang"


def is_secure(request: Request, settings: Settings) -> bool:
    return request.url.scheme == "https" or (settings.public_url or "").startswith("https://")


def session_token(request: Request) -> str | None:
    return request.cookies.get(SECURE_NAME) or request.cookies.get(PLAIN_NAME)


def set_session(response: Response, request: Request, settings: Settings, token: str) -> None:
    secure = is_secure(request, settings)
    response.set_cookie(
        SECURE_NAME if secure else PLAIN_NAME,
        token,
        max_age=int(settings.session_max_age_hours * 3600),
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def clear_session(response: Response) -> None:
    for name in (PLAIN_NAME, SECURE_NAME):
        response.delete_cookie(name, path="/", secure=name == SECURE_NAME, httponly=True)
