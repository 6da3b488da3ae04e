"""What a Telegram message carries besides text, as :class:`~inbox.events.Attachment` values.

Files are referenced by ``file_id`` only: downloading needs the bot token and is the sender's
business, never the pure normaliser's. Extras are limited to what an agent needs to render
the item without a download (coordinates, contact card, duration, sticker emoji).
"""

from __future__ import annotations

from typing import Any

from aiogram.types import (
    Animation,
    Audio,
    Contact,
    Document,
    Location,
    Message,
    PhotoSize,
    TelegramObject,
    Venue,
    Video,
    VideoNote,
    Voice,
)

from inbox.events import Attachment

# Files that are nothing but a file, in the order a message's attachments list them.
_PLAIN_FILES = ("voice", "video", "audio", "video_note")


def text_of(message: Message) -> str:
    """Media messages carry their words in ``caption``; service messages have neither."""
    return message.text or message.caption or ""


def attachments_of(message: Message) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    if message.photo:
        found.append(_photo(message.photo))
    if message.animation is not None:
        found.append(_file("animation", message.animation))
    elif message.document is not None:
        # For GIFs Telegram also fills ``document`` with the same file "for backward
        # compatibility"; only a document without an animation is a document of its own.
        found.append(_file("document", message.document))
    if message.sticker is not None:
        s = message.sticker
        extra = {"emoji": s.emoji} if s.emoji else {}
        found.append(Attachment(type="sticker", file_id=s.file_id, size=s.file_size, extra=extra))
    for kind in _PLAIN_FILES:
        media = getattr(message, kind)
        if media is not None:
            found.append(_file(kind, media))
    if message.location is not None:
        found.append(_location(message.location, message.venue))
    if message.contact is not None:
        found.append(_contact(message.contact))
    return tuple(found)


PREVIEW_SIDE = 800  # px on the long side: what the inbox shows in a conversation


def _photo(sizes: list[PhotoSize]) -> Attachment:
    """Telegram sends every resolution of one photo: keep the largest, and the largest that
    fits :data:`PREVIEW_SIDE` as ``extra.preview_file_id`` (the inbox loads that one)."""

    def area(p: PhotoSize) -> tuple[int, int]:
        return (p.width * p.height, p.file_size or 0)

    best = max(sizes, key=area)
    small = [p for p in sizes if max(p.width, p.height) <= PREVIEW_SIDE]
    preview = max(small, key=area) if small else None
    extra = {} if preview is None or preview is best else {"preview_file_id": preview.file_id}
    return Attachment(type="photo", file_id=best.file_id, size=best.file_size, extra=extra)


def _file(kind: str, media: Animation | Audio | Document | Video | VideoNote | Voice) -> Attachment:
    duration = _declared(media, "duration")
    extra: dict[str, Any] = {} if duration is None else {"duration": duration}
    return Attachment(
        type=kind,
        file_id=media.file_id,
        size=media.file_size,
        mime_type=_declared(media, "mime_type"),
        name=_declared(media, "file_name"),
        extra=extra,
    )


def _declared(media: TelegramObject, field: str) -> Any:
    """A field the Bot API gives this type (a voice has no name, a video note no MIME type),
    never one a payload brought along beside them."""
    return getattr(media, field) if field in type(media).model_fields else None


def _location(location: Location, venue: Venue | None) -> Attachment:
    extra: dict[str, Any] = {"latitude": location.latitude, "longitude": location.longitude}
    if venue is not None:  # a venue is a location with a name; its message carries both
        extra |= {"title": venue.title, "address": venue.address}
    return Attachment(type="location", extra=extra)


def _contact(contact: Contact) -> Attachment:
    extra: dict[str, Any] = {
        "phone_number": contact.phone_number,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        # Text like every other platform id here; absent when the card is not a Telegram user.
        "user_id": None if contact.user_id is None else str(contact.user_id),
    }
    return Attachment(type="contact", extra=extra)
