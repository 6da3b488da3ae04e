"""``omnibox demo``: a fresh instance filled through the real webhook path, never twice, never
over real accounts; and demo accounts' replies going to local fake platforms when served (the
demo plug-in, loaded only for a database with demo accounts)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from api.plugins import sender_overrides
from api.runtime import Runtime
from demo import scenario
from demo.fill import fill
from demo.routing import DemoOutbound
from demo.setup import FILLED, NotFresh
from fakes import FakeTelegram
from inbox.accounts.models import Account
from inbox.conversations.models import Conversation, Message
from inbox.outbox.models import OutboxRow
from inbox.users.models import Role, User
from tests.support.backends import Backend
from tests.support.cli import Cli
from tests.support.factories import (
    TG_TOKEN,
    add_account,
    add_user,
    drain,
    login,
    post_telegram,
)
from tests.support.fixtures import RuntimeFactory, make_settings
from tests.support.payloads import load_payload
from tests.support.probes import with_changes

_accounts = Account.__table__  # type: ignore[attr-defined]
_tables = {
    "conversations": Conversation.__table__,  # type: ignore[attr-defined]
    "messages": Message.__table__,  # type: ignore[attr-defined]
    "outbox": OutboxRow.__table__,  # type: ignore[attr-defined]
    "users": User.__table__,  # type: ignore[attr-defined]
}


async def _counts(rt: Runtime) -> dict[str, int]:
    async with rt.engine.connect() as conn:
        return {
            name: int(await conn.scalar(select(func.count()).select_from(t)) or 0)
            for name, t in _tables.items()
        }


async def _get(client: httpx.AsyncClient, url: str, headers: dict[str, str], **params: Any) -> Any:
    r = await client.get(url, params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


async def _by_contact(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    page = await _get(client, "/api/v1/conversations", headers, limit=200)
    return {c["contact"]["external_id"]: c for c in page["items"]}


def _person(text_start: str) -> str:
    [thread] = [t for t in scenario.THREADS if t.said[0].text.startswith(text_start)]
    return thread.person.id


class TestFill:
    async def test_fills_all_four_channels_and_the_rules_do_their_work(
        self, backend: Backend, runtime_with: RuntimeFactory
    ) -> None:
        summary = await fill(make_settings(backend, queue_prefix=backend.queue_prefix))
        assert not summary.already
        assert summary.conversations == {"telegram": 6, "vk": 5, "facebook": 5, "instagram": 4}
        # 4 greetings + 2 answers; 2 VK answers; a hide + an answer; 2 out-of-hours + 1 answer
        assert summary.delivered == {"telegram": 6, "vk": 2, "facebook": 2, "instagram": 3}
        assert summary.hidden == 1

        async with runtime_with() as (rt, client):
            admin = await login(client, "admin@example.com", scenario.PASSWORD)
            await login(client, "anna@example.com", scenario.PASSWORD)  # agents can sign in
            convs = await _by_contact(client, admin)
            teams = {t["name"]: t["id"] for t in await _get(client, "/api/v1/teams", admin)}

            routed = convs[_person("Где моя доставка")]
            assert (routed["channel"], routed["kind"]) == ("vk", "comment")
            assert routed["team_id"] == teams["Delivery"]
            assert routed["labels"] == ["delivery"]

            spam = convs[_person("Best CASINO")]
            assert spam["labels"] == ["spam"]

            greeted = convs[_person("Hello! My order")]
            messages = (
                await _get(client, f"/api/v1/conversations/{greeted['id']}/messages", admin)
            )["items"]
            [customer] = [m for m in messages if m["sender_type"] == "contact"]
            assert "#A-1048" in customer["text"]  # the edit arrived
            assert [e["text"] for e in customer["edit_history"]] == [
                scenario.THREADS[0].said[0].text
            ]
            bot = [m for m in messages if m["sender_type"] == "bot"]
            assert [m["delivery_status"] for m in bot] == ["sent"]
            assert bot[0]["text"].startswith("Hi Emma!")
            assert greeted["status"] == "pending"

            resolved = [c for c in convs.values() if c["status"] == "resolved"]
            assert {c["channel"] for c in resolved} == {"telegram", "vk", "instagram"}
            assert sum(1 for c in convs.values() if c["assignee_id"]) >= 6

            before = await _counts(rt)
            again = await fill(make_settings(backend, queue_prefix=backend.queue_prefix))
            assert again.already
            assert await _counts(rt) == before

    async def test_a_run_that_stopped_half_way_resumes_without_doubling(
        self, backend: Backend, runtime_with: RuntimeFactory
    ) -> None:
        settings = make_settings(backend, queue_prefix=backend.queue_prefix)
        await fill(settings)
        async with runtime_with() as (rt, _client):
            before = await _counts(rt)
            async with rt.engine.begin() as conn:  # as if it stopped before the end
                for row in (await conn.execute(select(_accounts))).all():
                    kept = {k: v for k, v in row.options.items() if k != FILLED}
                    await conn.execute(
                        update(_accounts).where(_accounts.c.id == row.id).values(options=kept)
                    )
            resumed = await fill(settings)
            assert not resumed.already
            assert sum(resumed.conversations.values()) == 20
            assert resumed.delivered == {"telegram": 0, "vk": 0, "facebook": 0, "instagram": 0}
            assert await _counts(rt) == before
            async with rt.engine.connect() as conn:
                stored = (await conn.execute(select(_accounts.c.options))).scalars().all()
            assert all(o.get(FILLED) for o in stored)

    async def test_refuses_an_instance_with_a_real_account(
        self, backend: Backend, runtime_with: RuntimeFactory
    ) -> None:
        async with runtime_with() as (rt, client):
            await add_user(rt, "owner@example.com", Role.ADMIN)
            headers = await login(client, "owner@example.com")
            await add_account(client, headers, "telegram")
            before = await _counts(rt)
            with pytest.raises(NotFresh, match="fills a fresh instance"):
                await fill(make_settings(backend, queue_prefix=backend.queue_prefix))
            assert await _counts(rt) == before


class TestServeRouting:
    async def test_demo_replies_go_to_the_local_fakes_and_real_ones_to_the_base(
        self, runtime_with: RuntimeFactory
    ) -> None:
        async with (
            FakeTelegram() as real_platform,
            runtime_with(telegram_api_base=real_platform.base_url) as (rt, client),
        ):
            assert await sender_overrides(rt.settings) == []  # no demo accounts: no plug-in
            await add_user(rt, "admin@example.com", Role.ADMIN)
            headers = await login(client, "admin@example.com")
            real = await add_account(client, headers, "telegram")
            assert await sender_overrides(rt.settings) == []  # a real account: still none
            demo = await _demo_telegram_account(rt, client, headers)
            # What serve and worker do at start-up: the demo plug-in's override, started.
            [override] = await sender_overrides(rt.settings)
            assert isinstance(override, DemoOutbound)
            served = Runtime(rt.settings, queue_prefix=rt.queue_prefix, sender_overrides=[override])
            await override.start()
            platforms = override.platforms
            assert platforms is not None

            dm = load_payload("telegram", "message__dm_text")
            assert (await post_telegram(client, real["id"], dm)).status_code == 200
            other = with_changes(dm, update_id=dm["update_id"] + 7)
            r = await post_telegram(client, demo["id"], other, secret="demo-secret")
            assert r.status_code == 200
            await drain(rt)
            page = await _get(client, "/api/v1/conversations", headers)
            by_account = {c["account_id"]: c["id"] for c in page["items"]}
            for account in (real, demo):
                r = await client.post(
                    f"/api/v1/conversations/{by_account[account['id']]}/messages",
                    json={"text": f"answer from {account['name']}"},
                    headers=headers,
                )
                assert r.status_code == 201, r.text
            sender = served.make_sender()
            while await sender.run_once():
                pass
            await served.stop()
            assert override.platforms is None  # the runtime stopped the fakes with itself

            [to_real] = real_platform.calls_to("sendMessage")
            assert to_real.token == TG_TOKEN
            assert to_real.params["text"] == "answer from Acme bot"
            [to_demo] = platforms.telegram.calls_to("sendMessage")
            assert to_demo.token == DEMO_TOKEN
            assert to_demo.params["text"] == "answer from Demo bot"
            for account in (real, demo):
                cid = by_account[account["id"]]
                items = (await _get(client, f"/api/v1/conversations/{cid}/messages", headers))[
                    "items"
                ]
                agent = [m for m in items if m["sender_type"] == "agent"]
                assert [m["delivery_status"] for m in agent] == ["sent"]


DEMO_TOKEN = "7000000099:DEMO_token"


async def _demo_telegram_account(
    rt: Runtime, client: httpx.AsyncClient, headers: dict[str, str]
) -> dict[str, Any]:
    account = await add_account(
        client, headers, "telegram", name="Demo bot", token=DEMO_TOKEN, webhook_secret="demo-secret"
    )
    async with rt.engine.begin() as conn:
        await conn.execute(
            update(_accounts).where(_accounts.c.id == account["id"]).values(options={"demo": True})
        )
    return account


@pytest.mark.slow
def test_the_command_fills_once_and_says_how_to_go_on(cli: Cli) -> None:
    first = cli("demo")
    assert first.returncode == 0, first.stderr
    assert "conversations: telegram 6, vk 5, facebook 5, instagram 4 (20 in all)" in first.stdout
    assert "omnibox serve" in first.stdout
    assert f"admin@example.com  admin  password: {scenario.PASSWORD}" in first.stdout
    assert cli.query("SELECT count(*) FROM conversations") == [(20,)]
    messages = cli.query("SELECT count(*) FROM messages")

    second = cli("demo")
    assert second.returncode == 0, second.stderr
    assert "already a demo instance" in second.stdout
    assert cli.query("SELECT count(*) FROM conversations") == [(20,)]
    assert cli.query("SELECT count(*) FROM messages") == messages
