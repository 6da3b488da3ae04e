"""Sign in through the real ``/login`` form, as a browser would, and read a page's CSRF token."""

from __future__ import annotations

import re

import httpx

from api.web.cookies import PLAIN_NAME, SECURE_NAME

_LOGIN_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_SECURE_COOKIE = re.compile(re.escape(SECURE_NAME) + r"=([^;]+)")
_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str = "password-123"
) -> httpx.Response:
    """Fresh cookies, the form's token, the POST; the session cookie is then in the jar."""
    client.cookies.clear()
    form = await client.get("/login")
    found = _LOGIN_CSRF.search(form.text)
    assert found, form.text
    r = await client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": found[1], "next": "/inbox"},
    )
    assert r.status_code == 303, r.text
    if not client.cookies.get(PLAIN_NAME):
        # Behind an https PUBLIC_URL the cookie is ``__Host-…; Secure``, which the client
        # will not send to http://omnibox.test; hand its value over under the plain name.
        found = _SECURE_COOKIE.search(r.headers.get("set-cookie", ""))
        assert found is not None, r.headers
        client.cookies.set(PLAIN_NAME, found[1])
    return r


def csrf_of(page: httpx.Response) -> str:
    found = _META_CSRF.search(page.text)
    assert found is not None, "the page has no csrf-token meta"
    assert found[1], "the page's csrf-token is empty (not signed in?)"
    return found[1]


async def page_csrf(client: httpx.AsyncClient, path: str = "/admin/accounts") -> str:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    return csrf_of(page)
