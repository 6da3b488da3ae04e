"""``/api/v1/accounts/{id}/csat``: whether a resolved conversation gets the 1-5 survey."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import CurrentAdmin, RuntimeDep, SessionDep
from api.routes.account_options import read_options, write_options
from inbox.reporting.csat import SurveySettings

router = APIRouter(prefix="/api/v1", tags=["reports"])


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


@router.get("/accounts/{account_id}/csat")
async def get_survey(account_id: int, session: SessionDep, _admin: CurrentAdmin) -> SurveyOut:
    found = SurveySettings.of(await read_options(session, account_id))
    return SurveyOut(account_id=account_id, enabled=found.enabled, question=found.question)


@router.put("/accounts/{account_id}/csat")
async def put_survey(
    account_id: int, body: SurveyIn, rt: RuntimeDep, session: SessionDep, _admin: CurrentAdmin
) -> SurveyOut:
    options = await read_options(session, account_id)
    question = body.question.strip() if body.question and body.question.strip() else None
    options["csat"] = {"enabled": body.enabled, "question": question}
    await write_options(rt, session, account_id, options)
    return SurveyOut(account_id=account_id, enabled=body.enabled, question=question)
