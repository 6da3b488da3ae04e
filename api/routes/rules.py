"""``/api/v1/rules``: the rule set (admin), a dry run, YAML import/export, and rule traces."""

from __future__ import annotations

import json
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from api.deps import CurrentAdmin, CurrentUser, SessionDep
from api.schemas.rules import DryRunOut, RuleOut, RuleTraceOut
from inbox.automation import store
from inbox.automation.dry_run import TestMessage, dry_run
from inbox.automation.runner import directory
from inbox.db import Conn
from rules.compile import validate
from rules.schema import dump_yaml, load_yaml

router = APIRouter(prefix="/api/v1", tags=["rules"])

MAX_RULES_YAML = 1024 * 1024


class Reorder(BaseModel):
    ids: list[int] = Field(max_length=10_000)


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
    """The rule in its stored form; ``RuleError`` (every problem at once) if it is not one."""
    [rule] = validate([raw], await directory(conn))
    return rule.to_dict()


async def _rules(conn: Conn) -> list[RuleOut]:
    return [RuleOut.of(r) for r in await store.list_rules(conn)]


async def _rule(conn: Conn, rule_id: int) -> RuleOut:
    return next(RuleOut.of(r) for r in await store.list_rules(conn) if r.id == rule_id)


@router.get("/rules")
async def list_rules(session: SessionDep, _admin: CurrentAdmin) -> list[RuleOut]:
    return await _rules(await session.connection())


@router.post("/rules", status_code=201, openapi_extra=_RULE_BODY_DOC)
async def create_rule(session: SessionDep, _admin: CurrentAdmin, body: RuleBody) -> RuleOut:
    """A rule as in the YAML file (``name, mode, when, if, then, stop``), added last."""
    conn = await session.connection()
    rule_id = await store.create_rule(conn, await _checked(conn, body))
    return await _rule(conn, rule_id)


@router.post("/rules/reorder")
async def reorder_rules(body: Reorder, session: SessionDep, _admin: CurrentAdmin) -> list[RuleOut]:
    conn = await session.connection()
    await store.reorder(conn, body.ids)
    return await _rules(conn)


@router.get(
    "/rules/export",
    response_class=Response,
    responses={200: {"content": {"application/yaml": {"schema": {"type": "string"}}}}},
)
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
) -> list[RuleOut]:
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
    rules = validate([r.to_dict() for r in load_yaml(body)], await directory(conn))
    await store.replace_all(conn, [r.to_dict() for r in rules])
    return await _rules(conn)


@router.post("/rules/test")
async def dry_run_rules(body: TestMessage, session: SessionDep, _admin: CurrentAdmin) -> DryRunOut:
    """What would the rules do with this message? Evaluates, traces, and does nothing."""
    return DryRunOut.model_validate(await dry_run(await session.connection(), body))


@router.get("/messages/{message_id}/rule-traces")
async def message_traces(
    message_id: int, session: SessionDep, _user: CurrentUser
) -> list[RuleTraceOut]:
    """Which rules looked at this message, in which mode, and what they did (or would do)."""
    found = await store.traces_of(await session.connection(), message_id)
    return [RuleTraceOut.model_validate(t) for t in found]


@router.put("/rules/{rule_id}", openapi_extra=_RULE_BODY_DOC)
async def replace_rule(
    rule_id: int, session: SessionDep, _admin: CurrentAdmin, body: RuleBody
) -> RuleOut:
    conn = await session.connection()
    if not await store.update_rule(conn, rule_id, await _checked(conn, body)):
        raise HTTPException(status_code=404, detail="no such rule")
    return await _rule(conn, rule_id)


@router.delete("/rules/{rule_id}", status_code=204)
async def delete_rule(rule_id: int, session: SessionDep, _admin: CurrentAdmin) -> Response:
    if not await store.delete_rule(await session.connection(), rule_id):
        raise HTTPException(status_code=404, detail="no such rule")
    return Response(status_code=204)
