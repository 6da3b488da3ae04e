"""Telegram files for the inbox: ``getFile`` with the bot's token, then the download.

Telegram names files by ``file_id`` only, so nothing in a payload can point this fetch
anywhere but the configured Bot API (``OMNIBOX_TELEGRAM_API_BASE``). The token is part of the
download URL, so no error here ever includes a URL. Photos are served at the preview size the
normaliser kept (``extra.preview_file_id``, at most ~800 px) unless the original is asked for.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

import httpx

from bots.channel_names import Channel
from bots.media_http import read_capped
from inbox.media import Fetched, MediaSource, MediaUnavailable, NoFile

if TYPE_CHECKING:
    from inbox.media import MediaFetcher

_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
# What getFile answers, e.g. "photos/file_12.jpg": relative, no "..", no odd characters.
_FILE_PATH = re.compile(r"^(?!/)(?!.*(?:^|/)\.\.(?:/|$))[A-Za-z0-9_./-]{1,512}$")


class TelegramMediaFetcher:
    channel: Channel = Channel.TELEGRAM

    def __init__(self, api_base: str, *, max_bytes: int, timeout: float) -> None:
        self._base = api_base.rstrip("/")
        self._max_bytes = max_bytes
        self._timeout = timeout
        self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False)

    async def fetch(self, source: MediaSource) -> Fetched:
        attachment = source.attachment
        file_id = attachment.file_id
        preview = attachment.extra.get("preview_file_id")
        if attachment.type == "photo" and not source.original and isinstance(preview, str):
            file_id = preview or file_id
        if not file_id:
            raise NoFile(f"a Telegram {attachment.type} has no file to fetch")
        token = source.account.token
        if not _TOKEN.match(token):
            raise MediaUnavailable("the account's Telegram bot token is malformed")
        try:
            async with asyncio.timeout(self._timeout):
                return await self._download(token, file_id)
        except (TimeoutError, httpx.TimeoutException):
            raise MediaUnavailable("Telegram did not answer in time") from None
        except httpx.HTTPError as exc:  # never the exception text: its URL holds the token
            raise MediaUnavailable(
                f"Telegram could not be reached ({type(exc).__name__})"
            ) from None

    async def _download(self, token: str, file_id: str) -> Fetched:
        file_path = await self._file_path(token, file_id)
        url = f"{self._base}/file/bot{token}/{file_path}"
        async with self._client.stream("GET", url) as response:
            if response.status_code != 200:
                raise MediaUnavailable(f"Telegram's download answered {response.status_code}")
            body = await read_capped(response, self._max_bytes)
            return Fetched(response.headers.get("content-type", "application/octet-stream"), body)

    async def close(self) -> None:
        await self._client.aclose()

    async def _file_path(self, token: str, file_id: str) -> str:
        response = await self._client.post(
            f"{self._base}/bot{token}/getFile", data={"file_id": file_id}
        )
        try:
            answer: Any = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or answer.get("ok") is not True:
            description = answer.get("description") if isinstance(answer, dict) else None
            reason = description if isinstance(description, str) else f"HTTP {response.status_code}"
            raise MediaUnavailable(f"Telegram getFile failed: {reason[:200]}")
        result = answer.get("result")
        result = result if isinstance(result, dict) else {}
        size, path = result.get("file_size"), result.get("file_path")
        if isinstance(size, int) and size > self._max_bytes:
            raise MediaUnavailable(f"the file is larger than the {self._max_bytes}-byte limit")
        if not isinstance(path, str) or not _FILE_PATH.match(path):
            raise MediaUnavailable("Telegram gave no usable file path (the file may be too big)")
        return path


if TYPE_CHECKING:
    _conforms: MediaFetcher = TelegramMediaFetcher(
        "https://api.telegram.org", max_bytes=1, timeout=1
    )
