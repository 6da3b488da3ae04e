"""The port for attachment bytes: the inbox asks for a stored attachment, a platform fetches it.

Agents' browsers never load a platform URL themselves, and attachment URLs are never fetched
from user-supplied hosts. The service fetches through a :class:`MediaFetcher` per
channel (``bots/<platform>/media.py``, handed in by ``api/runtime.py``), which knows the
platform's file API or CDN allowlist, and serves the bytes with headers a browser cannot be
tricked by. What a file *is* comes from its first bytes (:func:`sniff_image`), never from
what the platform or the sender claimed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from inbox.errors import Forbidden, NotFound, Unavailable
from inbox.events import Attachment, Channel
from inbox.outbound import AccountAuth


@dataclass(frozen=True, slots=True)
class MediaSource:
    """One stored attachment and the account whose credentials may fetch it."""

    account: AccountAuth
    attachment: Attachment
    original: bool = False  # the full-size photo rather than the preview size


@dataclass(frozen=True, slots=True)
class Fetched:
    content_type: str  # what the platform said; informative only, never used to render
    body: bytes = field(repr=False)


class MediaError(Exception):
    """Why an attachment cannot be served; the message is safe to show an agent."""


class MediaNotAllowed(MediaError, Forbidden):
    """Refused by policy (host, scheme, port, address): nothing was fetched from there."""


class MediaUnavailable(MediaError, Unavailable):
    """The platform would not or could not give the file (error, too big, too slow)."""


class NoFile(MediaError, NotFound):
    """The attachment has no file behind it (a location, a contact card, a link preview)."""


class MediaFetcher(Protocol):
    @property
    def channel(self) -> Channel: ...

    async def fetch(self, source: MediaSource) -> Fetched:
        """The file's bytes; raise one of the :class:`MediaError` kinds on failure."""
        ...

    async def close(self) -> None: ...


def attachment_from(stored: Mapping[str, Any]) -> Attachment:
    """A stored attachment (the JSON the worker wrote) back as the value it came from."""

    def text(key: str) -> str | None:
        value = stored.get(key)
        return value if isinstance(value, str) and value else None

    size = stored.get("size")
    extra = stored.get("extra")
    return Attachment(
        type=text("type") or "file",
        file_id=text("file_id"),
        url=text("url"),
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        mime_type=text("mime_type"),
        name=text("name"),
        extra=dict(extra) if isinstance(extra, Mapping) else {},
    )


# Raster formats a browser may show inline. SVG is deliberately absent: it can carry script.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff_image(body: bytes) -> str | None:
    """The raster image type the bytes really are, or None for anything else."""
    for magic, kind in _SIGNATURES:
        if body.startswith(magic):
            return kind
    if len(body) >= 12 and body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "image/webp"
    return None


_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_DOTS = re.compile(r"[._]*\.\.[._]*")  # no ".." anywhere


def download_name(attachment: Attachment, index: int, image_type: str | None) -> str:
    """A filename safe in a ``Content-Disposition`` header: ASCII letters, digits, ``._-``.

    Names come from senders, so they are data: accents are folded, everything else becomes
    ``_``, dots cannot lead (no hidden or ``..`` names), and the length is capped.
    """
    folded = unicodedata.normalize("NFKD", attachment.name or "")
    cleaned = _UNSAFE.sub("_", folded.encode("ascii", "ignore").decode())
    cleaned = _DOTS.sub("_", cleaned).strip("._")[:100]
    fallback = f"{_UNSAFE.sub('_', attachment.type).strip('._')[:32] or 'file'}-{index}"
    if image_type is None:
        return cleaned or fallback
    stem = cleaned.rsplit(".", 1)[0].strip("._") if "." in cleaned else cleaned
    return f"{stem or fallback}.{_EXTENSIONS[image_type]}"
