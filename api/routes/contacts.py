"""``/api/v1/contacts/{id}``: a person across their accounts and conversations; their labels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel, Field

from api.deps import CurrentUser, SessionDep
from api.schemas.contacts import ContactOut
from inbox.contacts import queries
from inbox.contacts.service import MAX_LABELS, set_labels

router = APIRouter(prefix="/api/v1", tags=["contacts"])

ContactId = Annotated[int, Path(ge=1, le=2**63 - 1)]


class ContactPatch(BaseModel):
    labels: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(max_length=MAX_LABELS)


@router.get("/contacts/{contact_id}")
async def get_contact(contact_id: ContactId, session: SessionDep, _user: CurrentUser) -> ContactOut:
    found = await queries.get_contact(await session.connection(), contact_id)
    if found is None:
        raise HTTPException(status_code=404, detail="no such contact")
    return ContactOut.model_validate(found)


@router.patch("/contacts/{contact_id}")
async def patch_contact(
    contact_id: ContactId, body: ContactPatch, session: SessionDep, _user: CurrentUser
) -> ContactOut:
    conn = await session.connection()
    if await queries.get_contact(conn, contact_id) is None:
        raise HTTPException(status_code=404, detail="no such contact")
    await set_labels(conn, contact_id, body.labels)
    found = await queries.get_contact(conn, contact_id)
    assert found is not None
    return ContactOut.model_validate(found)
