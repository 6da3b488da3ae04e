"""SLA policies and business calendars through the admin API, both backends; a calendar change
re-measures history through the worker-side recompute."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from inbox.reporting.models import Cycle
from inbox.reporting.recompute import recompute_batch
from inbox.users.models import Role
from tests.outbound.conftest import Service
from tests.reporting.sla_helpers import add_policy, customer_writes
from tests.reporting.timeline_builder import History
from tests.support.factories import add_user, login
from tests.support.probes import wait_for
from tests.support.units import in_unit

pytestmark = pytest.mark.asyncio
_cycles = Cycle.__table__  # type: ignore[attr-defined]
T0 = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # Tuesday 05:00 in Moscow
MIN = 60.0
MOSCOW_OFFICE = {
    "timezone": "Europe/Moscow",
    "weekly": {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
}


async def _pending(svc: Service) -> int:
    async with svc.rt.engine.connect() as conn:
        found = await conn.scalar(
            select(func.count()).select_from(_cycles).where(_cycles.c.bh_pending.is_(True))
        )
        return int(found or 0)


async def _recompute_in_the_maintenance_loop(svc: Service) -> None:
    """Run the maintenance loop (as ``omnibox worker`` does) until nothing is pending."""
    stop = asyncio.Event()
    task = asyncio.create_task(svc.rt.make_maintenance(max_sleep=0.05).run(stop))
    try:
        await wait_for(lambda: _pending(svc), until=lambda n: n == 0, what="recompute")
    finally:
        stop.set()
        await task


class TestPolicies:
    async def test_create_list_change_delete(self, service: Service) -> None:
        tg = service.accounts["telegram"]["id"]
        created = await add_policy(
            service, name="VIP", account_id=tg, priority="urgent", first_response_minutes=5
        )
        assert (created["business_hours"], created["enabled"]) == (False, True)
        url = f"/api/v1/sla-policies/{created['id']}"
        listed = (await service.client.get("/api/v1/sla-policies", headers=service.headers)).json()
        assert [(p["name"], p["account_id"], p["priority"]) for p in listed] == [
            ("VIP", tg, "urgent")
        ]
        r = await service.client.patch(
            url, json={"resolution_minutes": 60, "priority": None}, headers=service.headers
        )
        assert r.status_code == 200, r.text
        assert (r.json()["resolution_minutes"], r.json()["priority"]) == (60, None)
        assert r.json()["first_response_minutes"] == 5  # untouched
        assert (await service.client.delete(url, headers=service.headers)).status_code == 204
        assert (await service.client.get(url, headers=service.headers)).status_code == 404
        assert (await service.client.delete(url, headers=service.headers)).status_code == 404

    @pytest.mark.parametrize(
        ("body", "needle"),
        [
            ({"first_response_minutes": 0}, "greater than 0"),
            ({"first_response_minutes": -5}, "greater than 0"),
            ({"first_response_minutes": 5, "priority": "critical"}, "urgent"),
            ({"first_response_minutes": 5, "account_id": 9999}, "no account 9999"),
            ({"first_response_minutes": 5, "team_id": 9999}, "no team 9999"),
            ({}, "at least one target"),
            ({"first_response_minutes": 5, "colour": "red"}, "colour"),
            ({"name": " ", "first_response_minutes": 5}, "at least 1 character"),
        ],
    )
    async def test_invalid_policies_are_422(
        self, service: Service, body: dict[str, Any], needle: str
    ) -> None:
        r = await service.client.post(
            "/api/v1/sla-policies", json={"name": "P", **body}, headers=service.headers
        )
        assert r.status_code == 422, r.text
        assert needle in r.text
        listed = (await service.client.get("/api/v1/sla-policies", headers=service.headers)).json()
        assert listed == []

    async def test_a_patch_is_checked_like_a_create(self, service: Service) -> None:
        url = f"/api/v1/sla-policies/{(await add_policy(service, first_response_minutes=5))['id']}"
        for body, needle in (
            ({"first_response_minutes": None}, "at least one target"),
            ({"name": None}, "name cannot be null"),
            ({"team_id": 4242}, "no team 4242"),
            ({"next_response_minutes": 0}, "greater than 0"),
        ):
            r = await service.client.patch(url, json=body, headers=service.headers)
            assert r.status_code == 422, (body, r.text)
            assert needle in r.text
        assert (await service.client.get(url, headers=service.headers)).json()["name"] == "Standard"
        r = await service.client.patch(
            "/api/v1/sla-policies/999", json={"enabled": False}, headers=service.headers
        )
        assert r.status_code == 404

    async def test_a_new_policy_applies_to_the_open_cycles(self, service: Service) -> None:
        t0 = datetime.now(UTC).replace(microsecond=0)
        cid = await customer_writes(service, t0)
        await add_policy(service, first_response_minutes=20)
        assert await _pending(service) == 1
        await _recompute_in_the_maintenance_loop(service)
        async with service.rt.engine.connect() as conn:
            due = await conn.scalar(
                select(_cycles.c.first_response_due_at).where(_cycles.c.conversation_id == cid)
            )
        assert due == t0 + timedelta(minutes=20)


async def test_admin_only(service: Service) -> None:
    await add_user(service.rt, "agent@example.com", Role.AGENT)
    agent = await login(service.client, "agent@example.com")
    team = await service.client.post(
        "/api/v1/teams", json={"name": "Support"}, headers=service.headers
    )
    policy = await add_policy(service, first_response_minutes=5)
    tg, team_id = service.accounts["telegram"]["id"], team.json()["id"]
    calls = [
        ("GET", "/api/v1/sla-policies", None),
        ("POST", "/api/v1/sla-policies", {"name": "x", "first_response_minutes": 1}),
        ("GET", f"/api/v1/sla-policies/{policy['id']}", None),
        ("PATCH", f"/api/v1/sla-policies/{policy['id']}", {"enabled": False}),
        ("DELETE", f"/api/v1/sla-policies/{policy['id']}", None),
        ("GET", f"/api/v1/teams/{team_id}/calendar", None),
        ("PUT", f"/api/v1/teams/{team_id}/calendar", MOSCOW_OFFICE),
        ("DELETE", f"/api/v1/teams/{team_id}/calendar", None),
        ("GET", f"/api/v1/accounts/{tg}/calendar", None),
        ("PUT", f"/api/v1/accounts/{tg}/calendar", MOSCOW_OFFICE),
        ("DELETE", f"/api/v1/accounts/{tg}/calendar", None),
    ]
    for method, url, body in calls:
        r = await service.client.request(method, url, json=body, headers=agent)
        assert r.status_code == 403, (method, url, r.text)
        assert (await service.client.request(method, url, json=body)).status_code == 401
    # nothing changed
    r = await service.client.get(f"/api/v1/sla-policies/{policy['id']}", headers=service.headers)
    assert r.json()["enabled"] is True
    r = await service.client.get(f"/api/v1/accounts/{tg}/calendar", headers=service.headers)
    assert r.json()["calendar"] is None


class TestCalendars:
    @pytest.mark.parametrize(
        ("calendar", "needle"),
        [
            ({"timezone": "Mars/Olympus", "weekly": {}}, "unknown timezone 'Mars/Olympus'"),
            ({"timezone": "UTC", "weekly": {"mon": [["09:00", "25:00"]]}}, "'25:00'"),
            ({"timezone": "UTC", "weekly": {"mon": [["09:00"]]}}, "expected [start, end]"),
            ({"timezone": "UTC", "weekly": {"funday": []}}, "unknown day 'funday'"),
            ({"timezone": "UTC", "holidays": ["31/12/2026"]}, "not a date"),
            ({"weekly": {}}, "calendar.timezone"),
            ({"timezone": "UTC", "hours": {}}, "unknown field(s) hours"),
        ],
    )
    async def test_a_bad_calendar_is_422_with_the_reason(
        self, service: Service, calendar: dict[str, Any], needle: str
    ) -> None:
        tg = service.accounts["telegram"]["id"]
        r = await service.client.put(
            f"/api/v1/accounts/{tg}/calendar", json=calendar, headers=service.headers
        )
        assert r.status_code == 422, r.text
        assert needle in r.json()["detail"]
        r = await service.client.get(f"/api/v1/accounts/{tg}/calendar", headers=service.headers)
        assert r.json()["calendar"] is None

    async def test_unknown_team_or_account_is_404(self, service: Service) -> None:
        for url in ("/api/v1/teams/999/calendar", "/api/v1/accounts/999/calendar"):
            r = await service.client.put(url, json=MOSCOW_OFFICE, headers=service.headers)
            assert r.status_code == 404, r.text

    async def test_teams_and_accounts_each_answer_with_their_own_names(
        self, service: Service
    ) -> None:
        """One piece of code serves both: each still names its own id and its own 404."""
        team = await service.client.post(
            "/api/v1/teams", json={"name": "Support"}, headers=service.headers
        )
        owners = (("team", team.json()["id"]), ("account", service.accounts["telegram"]["id"]))
        for noun, owner_id in owners:
            for method, body in (("GET", None), ("PUT", MOSCOW_OFFICE), ("DELETE", None)):
                r = await service.client.request(
                    method,
                    f"/api/v1/{noun}s/{owner_id}/calendar",
                    json=body,
                    headers=service.headers,
                )
                assert r.json()[f"{noun}_id"] == owner_id, (method, r.text)
                r = await service.client.request(
                    method, f"/api/v1/{noun}s/999/calendar", json=body, headers=service.headers
                )
                assert (r.status_code, r.json()["detail"]) == (404, f"no such {noun}")
                r = await service.client.request(
                    method, f"/api/v1/{noun}s/0/calendar", json=body, headers=service.headers
                )
                assert r.status_code == 422, r.text
                assert r.json()["detail"][0]["loc"] == ["path", f"{noun}_id"]

    async def test_set_read_and_clear_keeping_other_options(self, service: Service) -> None:
        fb = service.accounts["facebook"]["id"]
        url = f"/api/v1/accounts/{fb}/calendar"
        r = await service.client.put(url, json=MOSCOW_OFFICE, headers=service.headers)
        assert r.status_code == 200, r.text
        stored = r.json()["calendar"]
        assert (stored["timezone"], stored["holidays"]) == ("Europe/Moscow", [])
        assert (await service.client.get(url, headers=service.headers)).json()["calendar"] == stored
        r = await service.client.put(
            url, content=b"null", headers={**service.headers, "Content-Type": "application/json"}
        )
        assert r.status_code == 200, r.text
        assert (await service.client.get(url, headers=service.headers)).json()["calendar"] is None
        accounts = (await service.client.get("/api/v1/accounts", headers=service.headers)).json()
        [page] = [a for a in accounts if a["id"] == fb]
        assert page["allow_human_agent"] is False  # the account's other options are intact


async def test_an_account_calendar_change_recomputes_history(service: Service) -> None:
    ann = await add_user(service.rt, "ann@example.com", Role.AGENT)
    await add_policy(service, first_response_minutes=60, business_hours=True)
    h = History(service.rt, T0)
    await h.setup()
    await h.customer(0)  # Tue 05:00 Moscow: before opening
    await h.agent(300, ann)  # 10:00: five hours on the wall clock, one in business hours
    await h.customer(330)
    await h.agent(345, ann)
    await h.resolve(600, by=ann)  # 15:00
    await h.customer(800)  # 18:20, after closing: a second, open cycle
    first, second = await h.cycles()
    assert first.first_response_bh_seconds == 300 * MIN  # no calendar: every hour counts
    assert second.first_response_due_at == h.at(860)

    url = f"/api/v1/accounts/{h.account_id}/calendar"
    r = await service.client.put(url, json=MOSCOW_OFFICE, headers=service.headers)
    assert r.status_code == 200, r.text
    assert r.json()["cycles_to_recompute"] == 2
    assert await _pending(service) == 2  # marked in the request's own transaction

    await _recompute_in_the_maintenance_loop(service)
    first, second = await h.cycles()
    assert first.first_response_bh_seconds == 60 * MIN  # 09:00-10:00
    assert first.resolution_bh_seconds == 360 * MIN  # 09:00-15:00
    assert first.first_response_seconds == 300 * MIN  # wall-clock figures stay
    assert [t.bh_seconds for t in await h.turns() if t.cycle_id == first.id] == [
        60 * MIN,
        15 * MIN,
    ]
    # The open cycle was replayed: its business-hours deadline is Wednesday 10:00 in Moscow.
    assert second.first_response_due_at == datetime(2026, 3, 4, 7, 0, tzinfo=UTC)

    r = await service.client.delete(url, headers=service.headers)
    assert r.status_code == 200, r.text
    assert r.json()["cycles_to_recompute"] == 2
    await _recompute_in_the_maintenance_loop(service)
    first, second = await h.cycles()
    assert first.first_response_bh_seconds == 300 * MIN
    assert second.first_response_due_at == h.at(860)


async def test_a_team_calendar_marks_only_the_team_s_cycles(service: Service) -> None:
    ann = await add_user(service.rt, "ann@example.com", Role.AGENT)
    team = await service.client.post(
        "/api/v1/teams", json={"name": "Night shift", "member_ids": [ann]}, headers=service.headers
    )
    team_id = team.json()["id"]
    await customer_writes(service, T0)  # another account, no team: not this calendar's
    h = History(service.rt, T0)
    await h.setup(team_id=team_id)
    await h.customer(0)  # 05:00 Moscow
    await h.agent(120, ann)  # 07:00
    await h.resolve(180, by=ann)

    night = {"timezone": "Europe/Moscow", "weekly": {"mon": [["22:00", "06:00"]]}}
    r = await service.client.put(
        f"/api/v1/teams/{team_id}/calendar", json=night, headers=service.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["cycles_to_recompute"] == 1
    assert await in_unit(service.rt.engine, recompute_batch) == 1
    [c] = await h.cycles()
    # Monday's 22:00-06:00 runs into Tuesday: of 05:00-07:00 only the hour to 06:00 counts.
    assert c.first_response_seconds == 120 * MIN
    assert c.first_response_bh_seconds == 60 * MIN
    assert c.resolution_bh_seconds == 60 * MIN
    assert await _pending(service) == 0
    assert await in_unit(service.rt.engine, recompute_batch) == 0
