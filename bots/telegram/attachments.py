"""What a Telegram message carries besides text, as :class:`~inbox.events.Attachment` values.

Files are referenced by ``file_id`` only: downloading needs the bot token and is the sender's
business, never the pure normaliser's. Extras are limited to what an agent needs to render
the item without a download (coordinates, contact card, duration, sticker emoji).
"""

from __future__ import annotations

from typing import Any

from aiogram.types import Contact, Location, Message, PhotoSize, Venue

from inbox.events import Attachment


def text_of(message: Message) -> str:
    """Media messages carry their words in ``caption``; service messages have neither."""
    return message.text or message.caption or ""


def attachments_of(message: Message) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    if message.photo:
        found.append(_photo(message.photo))
    if message.animation is not None:
        an = message.animation
        found.append(
            _file("animation", an.file_id, an.file_size, an.mime_type, an.file_name, an.duration)
        )
    elif message.document is not None:
        # For GIFs Telegram also fills ``document`` with the same file "for backward
        # compatibility"; only a document without an animation is a document of its own.
        d = message.document
        found.append(_file("document", d.file_id, d.file_size, d.mime_type, d.file_name))
    if message.sticker is not None:
        s = message.sticker
        extra = {"emoji": s.emoji} if s.emoji else {}
        found.append(Attachment(type="sticker", file_id=s.file_id, size=s.file_size, extra=extra))
    if message.voice is not None:
        v = message.voice
        found.append(_file("voice", v.file_id, v.file_size, v.mime_type, None, v.duration))
    if message.video is not None:
        vd = message.video
        found.append(
            _file("video", vd.file_id, vd.file_size, vd.mime_type, vd.file_name, vd.duration)
        )
    if message.audio is not None:
        au = message.audio
        found.append(
            _file("audio", au.file_id, au.file_size, au.mime_type, au.file_name, au.duration)
        )
    if message.video_note is not None:
        n = message.video_note
        found.append(_file("video_note", n.file_id, n.file_size, None, None, n.duration))
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


def _file(
    kind: str,
    file_id: str,
    size: int | None,
    mime_type: str | None,
    name: str | None,
    duration: int | None = None,
) -> Attachment:
    extra: dict[str, Any] = {} if duration is None else {"duration": duration}
    return Attachment(
        type=kind, file_id=file_id, size=size, mime_type=mime_type, name=name, extra=extra
    )


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
