"""The data side of ``bench/newsletter``: a fresh database, the audience, the campaign, and
what the database says at the end.

The audience goes in with COPY (asyncpg ``copy_records_to_table``): contacts, their
``account_contacts`` and subscribed ``subscriptions``, with explicit ids and the sequences
moved past them. The campaign is created through the REST API when ``omnibox api`` serves
``/api/v1/campaigns`` (segment, campaign, ``POST …/send``); otherwise as a ``scheduled`` row
due now, which the dispatcher of ``omnibox worker`` starts like any scheduled campaign.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import asyncpg
import httpx

CHUNK = 20_000
TEXT = "Bench newsletter: this week's news, the same text for everyone."
FIRST_PEER = {"telegram": 5_000_000_000, "vk": 100_000_000}
MAY_HAVE_REACHED = "may have reached the customer"


async def recreate(admin_dsn: str, name: str, *, drop_only: bool = False) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def peer_of(channel: str, n: int) -> int:
    return FIRST_PEER[channel] + n


async def load_audience(dsn: str, account_id: int, channel: str, recipients: int) -> float:
    """Contacts 1..N with their account link and a subscription; returns seconds taken."""
    t0 = dt.datetime.now(dt.UTC)
    now = t0
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            for start in range(0, recipients, CHUNK):
                ids = range(start + 1, min(recipients, start + CHUNK) + 1)
                await conn.copy_records_to_table(
                    "contacts",
                    columns=[
                        "id",
                        "channel",
                        "external_id",
                        "display_name",
                        "username",
                        "language",
                        "created_at",
                        "updated_at",
                    ],
                    records=[
                        (i, channel, str(peer_of(channel, i)), f"Reader {i}", None, "en", now, now)
                        for i in ids
                    ],
                )
                await conn.copy_records_to_table(
                    "account_contacts",
                    columns=[
                        "id",
                        "account_id",
                        "contact_id",
                        "opted_out",
                        "unreachable",
                        "last_inbound_at",
                        "updated_at",
                    ],
                    records=[(i, account_id, i, False, False, now, now) for i in ids],
                )
                await conn.copy_records_to_table(
                    "subscriptions",
                    columns=["id", "account_id", "contact_id", "status", "changed_at", "method"],
                    records=[(i, account_id, i, "subscribed", now, "api") for i in ids],
                )
            for table in ("contacts", "account_contacts", "subscriptions"):
                await conn.execute(  # fixed table names, no input
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM {table}))"
                )
        for table in ("contacts", "account_contacts", "subscriptions"):
            await conn.execute(f"ANALYZE {table}")
    finally:
        await conn.close()
    return (dt.datetime.now(dt.UTC) - t0).total_seconds()


async def has_campaign_api(api_url: str, headers: dict[str, str]) -> bool:
    async with httpx.AsyncClient(base_url=api_url, headers=headers, timeout=10) as c:
        return (await c.get("/api/v1/campaigns")).status_code == 200


async def campaign_via_api(api_url: str, headers: dict[str, str], account_id: int) -> int:
    """Segment, campaign, send: the way an admin starts one."""
    async with httpx.AsyncClient(base_url=api_url, headers=headers, timeout=60) as c:
        r = await c.post("/api/v1/segments", json={"name": "bench", "account_id": account_id})
        if r.status_code not in (200, 201):
            raise RuntimeError(f"POST /api/v1/segments: {r.status_code} {r.text[:300]}")
        segment_id = r.json()["id"]
        body = {
            "name": "bench",
            "account_id": account_id,
            "segment_id": segment_id,
            "text": TEXT,
            "tag": "useful",
        }
        r = await c.post("/api/v1/campaigns", json=body)
        if r.status_code not in (200, 201):
            raise RuntimeError(f"POST /api/v1/campaigns: {r.status_code} {r.text[:300]}")
        campaign_id = int(r.json()["id"])
        r = await c.post(f"/api/v1/campaigns/{campaign_id}/send")
        if r.status_code not in (200, 201, 202):
            raise RuntimeError(f"POST …/{campaign_id}/send: {r.status_code} {r.text[:300]}")
        return campaign_id


async def campaign_via_row(dsn: str, account_id: int) -> int:
    """A segment and a ``scheduled`` campaign due now: the dispatcher starts it."""
    now = dt.datetime.now(dt.UTC)
    conn = await asyncpg.connect(dsn)
    try:
        segment_id = await conn.fetchval(
            "INSERT INTO segments (name, account_id, labels, created_at, updated_at) "
            "VALUES ('bench', $1, $2, $3, $3) RETURNING id",
            account_id,
            "[]",
            now,
        )
        return int(
            await conn.fetchval(
                "INSERT INTO campaigns (name, account_id, segment_id, text, buttons, tag, status,"
                " scheduled_at, created_at, updated_at)"
                " VALUES ('bench', $1, $2, $3, $4, 'useful', 'scheduled', $5, $5, $5)"
                " RETURNING id",
                account_id,
                segment_id,
                TEXT,
                json.dumps([]),
                now,
            )
        )
    finally:
        await conn.close()


async def progress(conn: asyncpg.Connection, campaign_id: int) -> dict[str, Any]:
    """The campaign's status and recipients by status, and the outbox rows still open."""
    status = await conn.fetchval("SELECT status FROM campaigns WHERE id = $1", campaign_id)
    rows = await conn.fetch(
        "SELECT status, count(*) AS n FROM campaign_recipients WHERE campaign_id = $1 "
        "GROUP BY status",
        campaign_id,
    )
    open_rows = await conn.fetchval(
        "SELECT count(*) FROM outbox WHERE status IN ('queued', 'leased', 'sending')"
    )
    return {
        "status": status,
        "recipients": {r["status"]: int(r["n"]) for r in rows},
        "outbox_open": int(open_rows or 0),
    }


async def outcome(dsn: str, campaign_id: int, channel: str, delivered: set[int]) -> dict[str, Any]:
    """What the database says, crossed with what the platform saw: recipients the platform
    never got (and the recorded reason), and rows recorded failed that did reach it."""
    conn = await asyncpg.connect(dsn)
    try:
        final = await progress(conn, campaign_id)
        camp = await conn.fetchrow(
            "SELECT audience_size, started_at, finished_at FROM campaigns WHERE id = $1",
            campaign_id,
        )
        rows = await conn.fetch(
            "SELECT r.peer_id, r.status, r.error FROM campaign_recipients r "
            "WHERE r.campaign_id = $1 AND r.status <> 'sent'",
            campaign_id,
        )
        sent_rows = await conn.fetch(
            "SELECT peer_id FROM campaign_recipients WHERE campaign_id = $1 AND status = 'sent'",
            campaign_id,
        )
        attempts = await conn.fetch(
            "SELECT attempts, count(*) AS n FROM outbox GROUP BY attempts ORDER BY attempts"
        )
    finally:
        await conn.close()
    reasons: dict[str, int] = {}
    failed_but_delivered = 0
    for r in rows:
        peer = int(r["peer_id"])
        why = f"{r['status']}: {_short(r['error'])}"
        if peer in delivered:
            failed_but_delivered += 1
            why += " (the platform did get it)"
        reasons[why] = reasons.get(why, 0) + 1
    sent_not_delivered = sum(1 for r in sent_rows if int(r["peer_id"]) not in delivered)
    may_have_reached = sum(1 for r in rows if MAY_HAVE_REACHED in (r["error"] or ""))
    started, finished = camp["started_at"], camp["finished_at"]
    return {
        "progress": final,
        "audience_size": camp["audience_size"],
        "started_to_finished_s": (finished - started).total_seconds()
        if started and finished
        else None,
        "not_sent": len(rows),
        "not_sent_reasons": reasons,
        "not_resent_may_have_reached": may_have_reached,
        "failed_but_delivered": failed_but_delivered,
        "sent_but_not_delivered": sent_not_delivered,
        "outbox_attempts": {int(r["attempts"]): int(r["n"]) for r in attempts},
        "channel": channel,
    }


def _short(error: str | None) -> str:
    if not error:
        return "-"
    return error if len(error) <= 90 else error[:87] + "..."
