"""Users and teams through the API; how a team hands out conversations."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.runtime import Runtime
from inbox.conversations.assignment import pick_assignee
from inbox.users.models import Role
from tests.support.factories import add_user, admin_headers, login
from tests.support.units import in_unit


async def _team(
    client: httpx.AsyncClient, headers: dict[str, str], **body: object
) -> dict[str, Any]:
    r = await client.post("/api/v1/teams", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


class TestUsers:
    async def test_admin_creates_lists_and_disables_a_user(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await admin_headers(client, runtime)
        r = await client.post(
            "/api/v1/users",
            json={"email": "Olga@Example.com", "password": "long-enough", "name": "Ольга"},
            headers=headers,
        )
        assert r.status_code == 201, r.text
        olga = r.json()
        assert olga["email"] == "olga@example.com"
        assert olga["role"] == "agent"
        assert "password" not in r.text
        assert "hash" not in r.text
        assert (
            await client.post(
                "/api/v1/users",
                json={"email": "olga@example.com", "password": "long-enough"},
                headers=headers,
            )
        ).status_code == 409
        agent = await login(client, "olga@example.com", "long-enough")
        assert (await client.get("/api/v1/users", headers=agent)).status_code == 200
        assert (
            await client.post(
                "/api/v1/users",
                json={"email": "x@example.com", "password": "long-enough"},
                headers=agent,
            )
        ).status_code == 403
        r = await client.patch(
            f"/api/v1/users/{olga['id']}", json={"is_active": False}, headers=headers
        )
        assert r.json()["is_active"] is False
        assert (await client.get("/api/v1/users", headers=agent)).status_code == 401

    async def test_short_password_and_unknown_fields_are_422(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await admin_headers(client, runtime)
        for body in (
            {"email": "a@example.com", "password": "short"},
            {"email": "a@example.com", "password": "long-enough", "admin": True},
        ):
            assert (
                await client.post("/api/v1/users", json=body, headers=headers)
            ).status_code == 422


class TestTeams:
    async def test_create_rename_members_delete(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await admin_headers(client, runtime)
        a = await add_user(runtime, "a@example.com", Role.AGENT)
        team = await _team(client, headers, name="Доставка", member_ids=[a])
        assert team["member_ids"] == [a]
        dup = await client.post("/api/v1/teams", json={"name": "доставка"}, headers=headers)
        assert dup.status_code == 409
        bad = await client.patch(
            f"/api/v1/teams/{team['id']}", json={"member_ids": [987654]}, headers=headers
        )
        assert bad.status_code == 409
        assert "987654" in bad.json()["detail"]
        r = await client.patch(
            f"/api/v1/teams/{team['id']}", json={"name": "Delivery"}, headers=headers
        )
        assert r.json()["name"] == "Delivery"
        assert (
            await client.delete(f"/api/v1/teams/{team['id']}", headers=headers)
        ).status_code == 204
        assert (await client.get("/api/v1/teams", headers=headers)).json() == []

    @pytest.mark.parametrize("strategy", ["round_robin", "least_open"])
    async def test_assignment_strategies(
        self, client: httpx.AsyncClient, runtime: Runtime, strategy: str
    ) -> None:
        headers = await admin_headers(client, runtime)
        members = [await add_user(runtime, f"m{i}@example.com", Role.AGENT) for i in range(3)]
        team = await _team(client, headers, name="Support", member_ids=members)
        picks = [
            await in_unit(runtime.engine, lambda c: pick_assignee(c, team["id"], strategy))
            for _ in range(4)
        ]
        if strategy == "round_robin":
            assert picks == [members[0], members[1], members[2], members[0]]
        else:  # nobody has open conversations: the lowest id, every time
            assert picks == [members[0]] * 4

    async def test_a_team_without_active_members_assigns_nobody(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await admin_headers(client, runtime)
        team = await _team(client, headers, name="Empty")
        assert (
            await in_unit(runtime.engine, lambda c: pick_assignee(c, team["id"], "round_robin"))
            is None
        )
