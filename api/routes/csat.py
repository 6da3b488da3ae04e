"""``/api/v1/accounts/{id}/csat``: whether a resolved conversation gets the 1-5 survey."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import select, update

from api.deps import CurrentAdmin, RuntimeDep, SessionDep
from inbox.accounts.models import Account
from inbox.reporting.csat import SurveySettings

router = APIRouter(prefix="/api/v1", tags=["reports"])
_accounts = Account.__table__  # type: ignore[attr-defined]


class SurveyIn(BaseModel):
    enabled: bool
    question: str | None = Field(
        default=None,
        max_length=500,
        description="asked instead of the default (English, Russian or Korean by the contact)",
    )


class SurveyOut(BaseModel):
    account_id: int
    enabled: bool
    question: str | None


async def _options(session: Any, account_id: int) -> dict[str, Any]:
    conn = await session.connection()
    row = (
        await conn.execute(select(_accounts.c.options).where(_accounts.c.id == account_id))
    ).first()
    if row is None:
        raise HTTPException(status_code=404, detail="no such account")
    return dict(row.options or {})


@router.get("/accounts/{account_id}/csat")
async def get_survey(account_id: int, session: SessionDep, _admin: CurrentAdmin) -> SurveyOut:
    found = SurveySettings.of(await _options(session, account_id))
    return SurveyOut(account_id=account_id, enabled=found.enabled, question=found.question)


@router.put("/accounts/{account_id}/csat")
async def put_survey(
    account_id: int, body: SurveyIn, rt: RuntimeDep, session: SessionDep, _admin: CurrentAdmin
) -> SurveyOut:
    options = await _options(session, account_id)
    question = body.question.strip() if body.question and body.question.strip() else None
    options["csat"] = {"enabled": body.enabled, "question": question}
    conn = await session.connection()
    await conn.execute(
        update(_accounts).where(_accounts.c.id == account_id).values(options=options)
    )
    rt.accounts.forget()
    return SurveyOut(account_id=account_id, enabled=body.enabled, question=question)
