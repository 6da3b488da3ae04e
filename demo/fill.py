"""Drive the demo through the real path: signed webhooks into the app (in-process, through
``httpx.ASGITransport``), the worker until the queue is empty, the team's work through the
REST API, and the outbox sender until every reply has reached the local fake platforms.

Meta webhooks need ``OMNIBOX_FACEBOOK_APP_SECRET`` to be verified. When it is unset, this
run signs and verifies them with a one-off secret that lives only in this process: the
demo's own requests pass, and nothing is stored that would let anyone else's pass later.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
from pydantic import SecretStr
from sqlalchemy import func, select

from api.app import create_app
from api.runtime import Runtime
from demo import scenario
from demo.deliveries import deliveries
from demo.routing import DemoOutbound
from demo.setup import Setup, create_missing, demo_accounts, is_filled, mark_filled
from demo.team_work import DemoFailed, conversations, work
from inbox.db import session_on, unit_of_work
from inbox.outbox.models import OutboxRow, OutboxStatus
from inbox.settings import Settings
from inbox.teams.service import list_teams
from inbox.users.security import create_token

_outbox = OutboxRow.__table__  # type: ignore[attr-defined]
DRAIN_DEADLINE_SECONDS = 60.0
SEND_DEADLINE_SECONDS = 120.0


@dataclass
class Summary:
    already: bool = False
    conversations: dict[str, int] = field(default_factory=dict)  # per channel
    delivered: dict[str, int] = field(default_factory=dict)  # successful platform calls
    hidden: int = 0
    new_users: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    one_off_app_secret: bool = False


async def fill(settings: Settings) -> Summary:
    """Fill the configured database (migrated); NotFresh if it has real accounts."""
    configured = settings.facebook_app_secret
    app_secret = configured.get_secret_value() if configured else secrets.token_urlsafe(32)
    settings = settings.model_copy(update={"facebook_app_secret": SecretStr(app_secret)})
    outbound = DemoOutbound(settings.graph_api_version)
    rt = Runtime(settings, sender_overrides=[outbound])
    await rt.start(intake=True, worker=False)
    try:
        async with unit_of_work(rt.engine, writer=False) as conn, session_on(conn) as session:
            if is_filled(await demo_accounts(conn)):
                return Summary(already=True)
            setup = await create_missing(session)
        summary = await _drive(rt, outbound, setup, app_secret)
        summary.one_off_app_secret = configured is None
        async with unit_of_work(rt.engine) as unit:
            await mark_filled(unit, setup.accounts)
        return summary
    finally:
        await rt.stop()


async def _drive(rt: Runtime, outbound: DemoOutbound, setup: Setup, app_secret: str) -> Summary:
    app = create_app(rt.settings, runtime=rt)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://omnibox.demo") as client:
        for d in deliveries(setup.accounts, setup.started_at, app_secret):
            r = await client.post(d.path, content=d.body, headers=d.headers)
            if r.status_code != 200:
                raise DemoFailed(f"webhook {d.path}: HTTP {r.status_code} {r.text[:300]}")
        await _drain(rt)
        secret, ttl = await rt.signing_key(), rt.settings.token_ttl_minutes
        tokens = {email: create_token(uid, secret, ttl) for email, uid in setup.users.items()}
        async with unit_of_work(rt.engine, writer=False) as conn:
            teams = {t.name: t.id for t in await list_teams(conn)}
        found = await conversations(client, tokens[scenario.USERS[0].email])
        await work(client, tokens, setup.users, teams, found)
    await _send_all(rt)
    platforms = outbound.platforms
    return Summary(
        conversations=dict(Counter(channel for channel, _ in found)),
        delivered=platforms.delivered() if platforms else dict.fromkeys(scenario.ACCOUNTS, 0),
        hidden=len(platforms.graph.calls_to("POST /{id}")) if platforms else 0,
        new_users=setup.new_users,
        notes=setup.notes,
    )


async def _drain(rt: Runtime) -> None:
    """The worker until the queue is empty (every webhook stored, every rule run)."""
    worker = rt.make_worker()
    deadline = time.monotonic() + DRAIN_DEADLINE_SECONDS
    while True:
        if await worker.run_once():
            continue
        if not await rt.queue.depth():
            return
        if time.monotonic() > deadline:
            raise DemoFailed("events are still queued; see the worker's log and /dead-letters")
        await asyncio.sleep(0.2)


async def _send_all(rt: Runtime) -> None:
    """The outbox sender until nothing is waiting (rate limits pace it, a few seconds)."""
    sender = rt.make_sender()
    deadline = time.monotonic() + SEND_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if await sender.run_once():
            continue
        if not await _waiting(rt):
            return
        await asyncio.sleep(0.2)
    raise DemoFailed(f"replies still waiting after {SEND_DEADLINE_SECONDS:.0f} s")


async def _waiting(rt: Runtime) -> int:
    pending = (OutboxStatus.QUEUED.value, OutboxStatus.LEASED.value, OutboxStatus.SENDING.value)
    async with unit_of_work(rt.engine, writer=False) as conn:
        count = await conn.scalar(
            select(func.count()).select_from(_outbox).where(_outbox.c.status.in_(pending))
        )
    return int(count or 0)
