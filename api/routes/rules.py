"""``/api/v1/rules``: the rule set (admin), a dry run, YAML import/export, and rule traces."""

from __future__ import annotations

import json
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.deps import CurrentAdmin, CurrentUser, SessionDep
from inbox.automation import store
from inbox.automation.dry_run import TestMessage, dry_run
from inbox.automation.models import RuleTrace
from inbox.automation.runner import directory
from inbox.db import Conn
from rules.compile import validate
from rules.errors import RuleError
from rules.schema import dump_yaml, load_yaml

router = APIRouter(prefix="/api/v1", tags=["rules"])
_traces = RuleTrace.__table__  # type: ignore[attr-defined]

MAX_RULES_YAML = 1024 * 1024


class Reorder(BaseModel):
    ids: list[int] = Field(max_length=10_000)


def _invalid(exc: RuleError) -> HTTPException:
    return HTTPException(status_code=422, detail={"message": str(exc), "errors": exc.errors})


async def _rule_body(request: Request) -> dict[str, Any]:
    """One rule as JSON, or as YAML (``Content-Type: application/yaml``: the web editor's text)."""
    raw = await request.body()
    if len(raw) > MAX_RULES_YAML:
        raise HTTPException(status_code=413, detail=f"a rule is at most {MAX_RULES_YAML} bytes")
    try:
        if "yaml" in request.headers.get("content-type", ""):
            data = yaml.safe_load(raw.decode("utf-8"))
        else:
            data = json.loads(raw or b"null")
    except (UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise HTTPException(status_code=422, detail=f"not a valid rule document: {exc}") from exc
    if not isinstance(data, dict):
        raise HTTPException(status_code=422, detail="a rule is a mapping (name, mode, when, ...)")
    return data


RuleBody = Annotated[dict[str, Any], Depends(_rule_body)]
_RULE_BODY_DOC = {
    "requestBody": {
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/yaml": {"schema": {"type": "string"}},
        }
    }
}


async def _checked(conn: Conn, raw: dict[str, Any]) -> dict[str, Any]:
    try:
        [rule] = validate([raw], await directory(conn))
    except RuleError as exc:
        raise _invalid(exc) from exc
    return rule.to_dict()


@router.get("/rules")
async def list_rules(session: SessionDep, _admin: CurrentAdmin) -> list[dict[str, Any]]:
    return await store.list_rules(await session.connection())


@router.post("/rules", status_code=201, openapi_extra=_RULE_BODY_DOC)
async def create_rule(session: SessionDep, _admin: CurrentAdmin, body: RuleBody) -> dict[str, Any]:
    """A rule as in the YAML file (``name, mode, when, if, then, stop``), added last."""
    conn = await session.connection()
    rule_id = await store.create_rule(conn, await _checked(conn, body))
    return next(r for r in await store.list_rules(conn) if r["id"] == rule_id)


@router.post("/rules/reorder")
async def reorder_rules(
    body: Reorder, session: SessionDep, _admin: CurrentAdmin
) -> list[dict[str, Any]]:
    conn = await session.connection()
    try:
        await store.reorder(conn, body.ids)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return await store.list_rules(conn)


@router.get("/rules/export", response_class=PlainTextResponse)
async def export_rules(session: SessionDep, _admin: CurrentAdmin) -> PlainTextResponse:
    conn = await session.connection()
    rules = validate(await store.definitions(conn), await directory(conn))
    return PlainTextResponse(dump_yaml(rules), media_type="application/yaml; charset=utf-8")


@router.put(
    "/rules/import",
    openapi_extra={
        "requestBody": {"content": {"application/yaml": {"schema": {"type": "string"}}}}
    },
)
async def import_rules(
    request: Request, session: SessionDep, _admin: CurrentAdmin
) -> list[dict[str, Any]]:
    """Replace the whole rule set with a YAML document (``{rules: [...]}``), all or nothing."""
    raw = await request.body()
    if len(raw) > MAX_RULES_YAML:
        raise HTTPException(
            status_code=413, detail=f"a rule file is at most {MAX_RULES_YAML} bytes"
        )
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HTTPException(status_code=400, detail="the rule file is not UTF-8") from exc
    conn = await session.connection()
    try:
        rules = validate([r.to_dict() for r in load_yaml(body)], await directory(conn))
    except RuleError as exc:
        raise _invalid(exc) from exc
    await store.replace_all(conn, [r.to_dict() for r in rules])
    return await store.list_rules(conn)


@router.post("/rules/test")
async def dry_run_rules(
    body: TestMessage, session: SessionDep, _admin: CurrentAdmin
) -> dict[str, Any]:
    """What would the rules do with this message? Evaluates, traces, and does nothing."""
    try:
        return await dry_run(await session.connection(), body)
    except RuleError as exc:
        raise _invalid(exc) from exc


@router.get("/messages/{message_id}/rule-traces")
async def message_traces(
    message_id: int, session: SessionDep, _user: CurrentUser
) -> list[dict[str, Any]]:
    """Which rules looked at this message, in which mode, and what they did (or would do)."""
    conn = await session.connection()
    rows = await conn.execute(
        select(_traces).where(_traces.c.message_id == message_id).order_by(_traces.c.id)
    )
    return [{"event": r.event, "trace": r.trace, "created_at": r.created_at} for r in rows]


@router.put("/rules/{rule_id}", openapi_extra=_RULE_BODY_DOC)
async def replace_rule(
    rule_id: int, session: SessionDep, _admin: CurrentAdmin, body: RuleBody
) -> dict[str, Any]:
    conn = await session.connection()
    if not await store.update_rule(conn, rule_id, await _checked(conn, body)):
        raise HTTPException(status_code=404, detail="no such rule")
    return next(r for r in await store.list_rules(conn) if r["id"] == rule_id)


@router.delete("/rules/{rule_id}", status_code=204)
async def delete_rule(rule_id: int, session: SessionDep, _admin: CurrentAdmin) -> Response:
    if not await store.delete_rule(await session.connection(), rule_id):
        raise HTTPException(status_code=404, detail="no such rule")
    return Response(status_code=204)
