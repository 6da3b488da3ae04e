"""The Jinja2 environment for the pages: autoescape everywhere, a translator per request, and
static URLs that change with the file's content (so browsers may cache them for a year)."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from api.web import i18n

_env = Environment(
    loader=PackageLoader("api.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates = Jinja2Templates(env=_env)


@cache
def static_url(path: str) -> str:
    data = resources.files("api.web").joinpath("static", path).read_bytes()
    return f"/static/{path}?v={hashlib.sha256(data).hexdigest()[:12]}"


_env.globals["static"] = static_url
_env.globals["languages"] = i18n.LANGUAGES


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    lang = i18n.choose(request)
    t = i18n.Translator(lang)
    signed_in = getattr(request.state, "signed_in", None)
    values: dict[str, Any] = {
        "t": t,
        "lang": t.lang,
        "me": signed_in.me if signed_in else None,
        "csrf_token": signed_in.csrf_token if signed_in else "",
        "path": request.url.path,
    }
    values.update(context or {})
    return templates.TemplateResponse(request, name, values, status_code=status_code)
