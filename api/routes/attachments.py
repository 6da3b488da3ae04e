"""``/api/v1/messages/{id}/attachments/{index}``: attachment bytes, fetched by the service.

The inbox never hot-links a platform URL. Raster images (decided from their first bytes) are
served inline as what they are; anything else, SVG included, as a download the browser will
not render. Every answer is sandboxed and unsniffable, so a file cannot run as a page of ours.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from api.deps import BrieflyCurrentUser, RuntimeDep
from inbox import media
from inbox.conversations.attachments import find_attachment
from inbox.db import unit_of_work

router = APIRouter(prefix="/api/v1", tags=["attachments"])

_SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cache-Control": "private, max-age=3600",
}


@router.get(
    "/messages/{message_id}/attachments/{index}",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}, "application/octet-stream": {}}},
        403: {"description": "the file's URL is not on the channel's allowed hosts"},
        404: {"description": "no such message or attachment, or it has no file"},
        502: {"description": "the platform would not give the file"},
    },
)
async def get_attachment(
    message_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    index: Annotated[int, Path(ge=0, le=10_000)],
    rt: RuntimeDep,
    _user: BrieflyCurrentUser,
    original: Annotated[bool, Query(description="Telegram photos: full size")] = False,
) -> Response:
    # A unit of its own, ended before the platform is asked: it may take long to hand the
    # file over, and a pooled connection is not held meanwhile.
    async with unit_of_work(rt.engine, writer=False) as conn:
        source = await find_attachment(conn, message_id, index, original=original)
    fetcher = rt.media.get(source.account.channel)
    if fetcher is None:
        raise media.NoFile(f"no fetcher for {source.account.channel}")
    fetched = await fetcher.fetch(source)
    image = media.sniff_image(fetched.body)
    name = media.download_name(source.attachment, index, image)
    disposition = "inline" if image else "attachment"
    headers = {**_SAFE_HEADERS, "Content-Disposition": f'{disposition}; filename="{name}"'}
    return Response(fetched.body, media_type=image or "application/octet-stream", headers=headers)
