"""VK media objects (message and comment ``attachments``, message ``geo``) as ``Attachment``.

``file_id`` uses VK's own attachment string (``photo<owner>_<id>``) where one exists, so an
agent can re-send the same media by id. Media types we do not model keep their VK type name
rather than vanishing, so the inbox can at least say "a poll was attached".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from bots.vk._fields import opt_int, opt_list, opt_map, opt_number, opt_str, req_int, req_map
from inbox.events import AnomalousPayload, Attachment

# VK size letters from small to large; old photos report width/height 0, so rank breaks ties.
_SIZE_RANK = {letter: rank for rank, letter in enumerate("smopqrxyzw")}


def _media_id(obj: Mapping[str, Any], prefix: str, where: str) -> str:
    return f"{prefix}{req_int(obj, 'owner_id', where)}_{req_int(obj, 'id', where)}"


def _largest_url(candidates: Iterable[Any], where: str) -> str | None:
    best: tuple[int, int] | None = None
    url: str | None = None
    for item in candidates:
        if not isinstance(item, Mapping):
            raise AnomalousPayload(f"{where}: size entry is not an object")
        link = opt_str(item, "url", where) or opt_str(item, "src", where)
        if not link:
            continue
        area = (opt_int(item, "width", where) or 0) * (opt_int(item, "height", where) or 0)
        key = (area, _SIZE_RANK.get(opt_str(item, "type", where) or "", -1))
        if best is None or key > best:
            best, url = key, link
    return url


def _extra(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _photo(obj: Mapping[str, Any], where: str) -> Attachment:
    sizes = opt_list(obj, "sizes", where)
    orig = opt_map(obj, "orig_photo", where)
    return Attachment(
        type="photo",
        file_id=_media_id(obj, "photo", where),
        url=_largest_url([*sizes, *([orig] if orig else [])], where),
        extra=_extra(access_key=opt_str(obj, "access_key", where)),
    )


def _doc(obj: Mapping[str, Any], where: str) -> Attachment:
    return Attachment(
        type="document",
        file_id=_media_id(obj, "doc", where),
        url=opt_str(obj, "url", where),
        size=opt_int(obj, "size", where),
        name=opt_str(obj, "title", where),
        extra=_extra(ext=opt_str(obj, "ext", where)),
    )


def _voice(obj: Mapping[str, Any], where: str) -> Attachment:
    return Attachment(
        type="voice",
        url=opt_str(obj, "link_ogg", where),
        mime_type="audio/ogg",
        extra=_extra(
            duration=opt_int(obj, "duration", where),
            link_mp3=opt_str(obj, "link_mp3", where),
            transcript=opt_str(obj, "transcript", where),
        ),
    )


def _sticker(obj: Mapping[str, Any], where: str) -> Attachment:
    sticker_id = opt_int(obj, "sticker_id", where)
    return Attachment(
        type="sticker",
        file_id=None if sticker_id is None else str(sticker_id),
        url=_largest_url(opt_list(obj, "images", where), where),
        extra=_extra(product_id=opt_int(obj, "product_id", where)),
    )


def _video(obj: Mapping[str, Any], where: str) -> Attachment:
    return Attachment(
        type="video",
        file_id=_media_id(obj, "video", where),
        url=opt_str(obj, "player", where),
        name=opt_str(obj, "title", where),
        extra=_extra(duration=opt_int(obj, "duration", where)),
    )


def _audio(obj: Mapping[str, Any], where: str) -> Attachment:
    artist, title = opt_str(obj, "artist", where), opt_str(obj, "title", where)
    return Attachment(
        type="audio",
        file_id=_media_id(obj, "audio", where),
        url=opt_str(obj, "url", where) or None,
        name=" - ".join(part for part in (artist, title) if part) or None,
        extra=_extra(duration=opt_int(obj, "duration", where)),
    )


def _link(obj: Mapping[str, Any], where: str) -> Attachment:
    return Attachment(
        type="link",
        url=opt_str(obj, "url", where),
        name=opt_str(obj, "title", where),
        extra=_extra(
            caption=opt_str(obj, "caption", where),
            description=opt_str(obj, "description", where),
        ),
    )


def _wall(obj: Mapping[str, Any], where: str) -> Attachment:
    owner = opt_int(obj, "owner_id", where)
    owner = opt_int(obj, "to_id", where) if owner is None else owner
    if owner is None:
        owner = req_int(obj, "from_id", where)
    post = f"wall{owner}_{req_int(obj, 'id', where)}"
    return Attachment(
        type="wall",
        file_id=post,
        url=f"https://vk.com/{post}",
        extra=_extra(text=opt_str(obj, "text", where) or None),
    )


def _market(obj: Mapping[str, Any], where: str) -> Attachment:
    price = opt_map(obj, "price", where)
    return Attachment(
        type="market",
        file_id=_media_id(obj, "market", where),
        url=opt_str(obj, "url", where),
        name=opt_str(obj, "title", where),
        extra=_extra(price=None if price is None else opt_str(price, "text", where + ".price")),
    )


def _other(vk_type: str, obj: Mapping[str, Any], where: str) -> Attachment:
    owner, media = opt_int(obj, "owner_id", where), opt_int(obj, "id", where)
    known = owner is not None and media is not None
    return Attachment(type=vk_type, file_id=f"{vk_type}{owner}_{media}" if known else None)


_PARSERS: dict[str, Callable[[Mapping[str, Any], str], Attachment]] = {
    "photo": _photo,
    "doc": _doc,
    "audio_message": _voice,
    "sticker": _sticker,
    "video": _video,
    "audio": _audio,
    "link": _link,
    "wall": _wall,
    "market": _market,
}


def parse_attachments(owner: Mapping[str, Any], where: str) -> tuple[Attachment, ...]:
    """``owner["attachments"]``: ``[{"type": T, T: {...}}, ...]``."""
    result = []
    for index, item in enumerate(opt_list(owner, "attachments", where)):
        at = f"{where}.attachments[{index}]"
        if not isinstance(item, Mapping):
            raise AnomalousPayload(f"{at}: expected an object")
        vk_type = opt_str(item, "type", at)
        if not vk_type:
            raise AnomalousPayload(f"{at}.type: expected a non-empty string")
        parser = _PARSERS.get(vk_type)
        if parser is None:
            media = opt_map(item, vk_type, at)
            result.append(_other(vk_type, media or {}, f"{at}.{vk_type}"))
        else:
            result.append(parser(req_map(item, vk_type, at), f"{at}.{vk_type}"))
    return tuple(result)


def parse_geo(message: Mapping[str, Any], where: str) -> Attachment | None:
    """A message's ``geo`` (shared location) as a ``location`` attachment."""
    geo = opt_map(message, "geo", where)
    if geo is None:
        return None
    at = f"{where}.geo"
    coordinates = req_map(geo, "coordinates", at)
    latitude = opt_number(coordinates, "latitude", f"{at}.coordinates")
    longitude = opt_number(coordinates, "longitude", f"{at}.coordinates")
    if latitude is None or longitude is None:
        raise AnomalousPayload(f"{at}.coordinates: latitude and longitude are required")
    place = opt_map(geo, "place", at)
    return Attachment(
        type="location",
        name=None if place is None else opt_str(place, "title", f"{at}.place"),
        extra={"latitude": latitude, "longitude": longitude},
    )
