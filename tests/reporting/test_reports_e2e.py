"""Webhooks, agents' replies and resolves through the real API, then the reports API."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, update

from api.schemas.reports import Summary, Timeseries
from inbox.reporting.models import Cycle
from inbox.users.models import Role
from tests.reporting.conftest import Service
from tests.support.factories import add_user, login, post_telegram, post_vk
from tests.support.payloads import load_payload
from tests.support.probes import with_changes

pytestmark = pytest.mark.asyncio
_cycles = Cycle.__table__  # type: ignore[attr-defined]


def _dm(update_id: int, date: int, text: str = "hello") -> dict[str, Any]:
    payload = load_payload("telegram", "message__dm_text")
    return with_changes(
        payload,
        **{
            "update_id": update_id,
            "message.message_id": update_id,
            "message.date": date,
            "message.text": text,
        },
    )


def _soon() -> str:
    """A period end a minute ahead: the test stamps one customer message a second ahead."""
    return datetime.fromtimestamp(time.time() + 60, UTC).isoformat()


async def _summary(svc: Service, **params: Any) -> dict[str, Any]:
    if "until" not in params:
        params.setdefault("to", _soon())
    r = await svc.client.get("/api/v1/reports/summary", params=params, headers=svc.headers)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


async def _patch(svc: Service, cid: int, **body: Any) -> None:
    r = await svc.client.patch(f"/api/v1/conversations/{cid}", json=body, headers=svc.headers)
    assert r.status_code == 200, r.text


async def _team(svc: Service, name: str) -> int:
    r = await svc.client.post("/api/v1/teams", json={"name": name}, headers=svc.headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def test_vk_reply_typed_in_vk_counts_as_first_response(service: Service) -> None:
    svc, now = service, int(time.time())
    account = svc.accounts["vk"]["id"]
    inbound = with_changes(load_payload("vk", "message_new"), **{"object.message.date": now - 3600})
    echo = with_changes(load_payload("vk", "message_reply"), **{"object.date": now - 3600 + 420})
    assert (await post_vk(svc.client, account, inbound)).status_code == 200
    assert (await post_vk(svc.client, account, echo)).status_code == 200
    await svc.drain()
    report = await _summary(svc, group_by="agent")
    fr = report["total"]["first_response"]
    assert (fr["count"], fr["mean"], fr["median"], fr["p90"]) == (1, 420.0, 420.0, 420.0)
    [group] = report["groups"]
    assert group["key"] is None  # typed in VK's own app: credited to no omnibox agent
    assert report["live"] == {"open": 1, "unassigned": 1, "waiting": 0, "breached": 0}


async def test_agent_replies_team_change_resolve_and_every_report_shape(service: Service) -> None:
    svc, now = service, int(time.time())
    tg = svc.accounts["telegram"]["id"]
    first, second = await _team(svc, "Sales"), await _team(svc, "Support")
    assert (await post_telegram(svc.client, tg, _dm(9001, now - 600))).status_code == 200
    await svc.drain()
    [conv] = await svc.conversations()
    await _patch(svc, conv["id"], team_id=first)
    assert (await svc.reply(conv["id"], "Looking into it")).status_code == 201
    await _patch(svc, conv["id"], team_id=second)  # moved mid-cycle
    later = int(time.time()) + 1  # after the first reply (platforms stamp whole seconds)
    assert (await post_telegram(svc.client, tg, _dm(9002, later, "any news?"))).status_code == 200
    await svc.drain()
    await asyncio.sleep(max(0.0, later - time.time() + 0.05))  # reply and resolve come after it
    assert (await svc.reply(conv["id"], "Shipped today")).status_code == 201
    await _patch(svc, conv["id"], status="resolved")

    total = (await _summary(svc))["total"]
    assert total["cycles"] == 1
    assert total["resolved"] == 1
    assert (total["customer_turns"], total["answered_turns"]) == (2, 2)
    assert 600 <= total["first_response"]["mean"] < 660  # the customer's own timestamp
    assert 600 <= total["resolution"]["mean"] < 660

    by_team = await _summary(svc, group_by="team")
    teams = {g["name"]: g["metrics"]["response"]["count"] for g in by_team["groups"]}
    assert teams == {"Sales": 1, "Support": 1}  # each reply credited to the team of its moment
    Summary.model_validate(by_team)  # what /openapi.json says is what is answered, exactly
    to = _soon()  # the total of a grouped report (one pass on PostgreSQL) is the plain total
    plain = (await _summary(svc, to=to))["total"]
    for group in ("team", "agent", "channel", "account", "label"):
        assert (await _summary(svc, to=to, group_by=group))["total"] == plain, group
    assert by_team["live"]["open"] == 0

    series = await svc.client.get(
        "/api/v1/reports/timeseries",
        params={"interval": "day", "tz": "Asia/Seoul", "to": _soon()},
        headers=svc.headers,
    )
    assert series.status_code == 200, series.text
    Timeseries.model_validate(series.json())
    buckets = series.json()["series"][0]["buckets"]
    assert len(buckets) in (30, 31)
    assert sum(b["metrics"]["cycles"] for b in buckets) == 1

    summary_csv = await svc.client.get(
        "/api/v1/reports/summary",
        params={"format": "csv", "group_by": "team", "to": _soon()},
        headers=svc.headers,
    )
    assert summary_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(summary_csv.text)))
    assert [r["name"] for r in rows] == ["", "Sales", "Support"]
    assert rows[0]["group"] == "total"
    assert rows[0]["cycles"] == "1"

    cycles_csv = await svc.client.get(
        "/api/v1/reports/cycles.csv", params={"to": _soon()}, headers=svc.headers
    )
    [row] = list(csv.DictReader(io.StringIO(cycles_csv.text)))
    assert row["conversation_id"] == str(conv["id"])
    assert row["customer_turns"] == "2"
    assert float(row["first_response_seconds"]) >= 600


async def test_a_survey_answer_rates_the_cycle_without_reopening(service: Service) -> None:
    svc, now = service, int(time.time())
    tg = svc.accounts["telegram"]["id"]
    assert (await post_telegram(svc.client, tg, _dm(9101, now - 60))).status_code == 200
    await svc.drain()
    [conv] = await svc.conversations()
    await _patch(svc, conv["id"], status="resolved")
    async with svc.rt.engine.begin() as conn:
        cycle_id = (
            await conn.execute(select(_cycles.c.id).where(_cycles.c.conversation_id == conv["id"]))
        ).scalar_one()
        await conn.execute(update(_cycles).values(csat_requested_at=_cycles.c.opened_at))
    press = with_changes(
        load_payload("telegram", "callback_query__button"),
        **{"callback_query.data": f"csat:{cycle_id}:4", "callback_query.from.id": 5123456789},
    )
    assert (await post_telegram(svc.client, tg, press)).status_code == 200
    await svc.drain()
    [after] = await svc.conversations()
    assert after["status"] == "resolved"  # an answer to the survey does not reopen
    csat = (await _summary(svc))["total"]["csat"]
    assert (csat["count"], csat["mean"], csat["distribution"]["4"]) == (1, 4.0, 1)
    assert csat["satisfied_share"] == 1.0
    async with svc.rt.engine.connect() as conn:
        cycles = (
            await conn.execute(select(_cycles.c.seq).where(_cycles.c.conversation_id == conv["id"]))
        ).all()
    assert len(cycles) == 1  # not a new cycle either


async def test_since_and_until_are_from_and_to_and_plain_dates_read_in_tz(
    service: Service,
) -> None:
    svc = service
    tg = svc.accounts["telegram"]["id"]
    # 2026-03-01 23:30 in Seoul is still 1 March there, already 14:30 UTC the same day
    seoul_evening = int(datetime(2026, 3, 1, 14, 30, tzinfo=UTC).timestamp())
    assert (await post_telegram(svc.client, tg, _dm(9201, seoul_evening))).status_code == 200
    await svc.drain()
    day = {"since": "2026-03-01T00:00:00", "until": "2026-03-02T00:00:00", "tz": "Asia/Seoul"}
    assert (await _summary(svc, **day))["total"]["cycles"] == 1
    next_day = {"since": "2026-03-02T00:00:00", "until": "2026-03-03T00:00:00", "tz": "Asia/Seoul"}
    assert (await _summary(svc, **next_day))["total"]["cycles"] == 0
    same = {"from": "2026-03-01T00:00:00+09:00", "to": "2026-03-02T00:00:00+09:00"}
    a, b = (await _summary(svc, **same))["period"], (await _summary(svc, **day))["period"]
    assert (a["from"], a["to"]) == (b["from"], b["to"])


async def test_reports_are_for_admins_and_check_their_input(service: Service) -> None:
    svc = service
    await add_user(svc.rt, "agent@example.com", Role.AGENT)
    agent = await login(svc.client, "agent@example.com")
    r = await svc.client.get("/api/v1/reports/summary", headers=agent)
    assert r.status_code == 403
    bad = [
        {"tz": "Mars/Olympus"},
        {"from": "2026-03-02T00:00:00+00:00", "to": "2026-03-01T00:00:00+00:00"},
        {"group_by": "planet"},
        {"from": "2000-01-01T00:00:00+00:00", "to": "2026-01-01T00:00:00+00:00", "interval": "day"},
    ]
    for params in bad:
        path = "/api/v1/reports/timeseries" if "interval" in params else "/api/v1/reports/summary"
        r = await svc.client.get(path, params=params, headers=svc.headers)
        assert r.status_code == 422, (params, r.text)
