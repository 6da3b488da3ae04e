"""UI translations: English, Russian and Korean catalogs, chosen from the ``omnibox_lang``
cookie or the browser's ``Accept-Language``; English fills gaps.

A language's catalog is every JSON file in ``locales/<lang>/`` (one per area of the UI:
``common.json``, ``inbox.json``, ``admin.json``…), merged; keys are ``area.name``."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from fastapi import Request

from api.web.cookies import LANGUAGE

LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский", "ko": "한국어"}
DEFAULT = "en"


@cache
def catalog(lang: str) -> dict[str, str]:
    folder = resources.files("api.web").joinpath("locales", lang)
    data: dict[str, str] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            data.update(json.loads(entry.read_text("utf-8")))
    return data


def from_accept_language(header: str) -> str | None:
    """The best supported language in an ``Accept-Language`` header, by q-value then order."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, index, primary))
    return min(ranked)[2] if ranked else None


def choose(request: Request) -> str:
    chosen = request.cookies.get(LANGUAGE)
    if chosen in LANGUAGES:
        return chosen
    return from_accept_language(request.headers.get("accept-language", "")) or DEFAULT


class Translator:
    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT
        self._own = catalog(self.lang)
        self._fallback = catalog(DEFAULT)

    def __call__(self, key: str, **values: Any) -> str:
        text = self._own.get(key) or self._fallback.get(key) or key
        return text.format(**values) if values else text

    def bundle(self, prefix: str = "js.") -> dict[str, str]:
        """The strings the page's script needs, handed over in a JSON data attribute."""
        keys = {k for k in self._fallback if k.startswith(prefix)}
        return {k: self(k) for k in sorted(keys)}
