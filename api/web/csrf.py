"""CSRF checks for requests that ride on the session cookie: the session's token, compared in
constant time, and the browser's ``Origin`` (or ``Sec-Fetch-Site``) pointing at this service."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

HEADER = "x-csrf-token"
FIELD = "csrf_token"


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        parts = urlsplit(origin)
        host = request.headers.get("host", "")
        return parts.netloc == host
    if origin == "null":
        return False
    site = request.headers.get("sec-fetch-site")
    return site in (None, "same-origin", "none")


async def submitted_token(request: Request) -> str:
    header = request.headers.get(HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def check(request: Request, expected: str) -> None:
    if not same_origin(request):
        raise HTTPException(status_code=403, detail="cross-site request refused")
    given = await submitted_token(request)
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(status_code=403, detail="CSRF token missing or wrong")
