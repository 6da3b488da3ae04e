"""Reports read stored day blocks where a day is unchanged and rows where it changed: the
figures are the same either way, and a change shows at once (both backends)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from api.runtime import Runtime
from inbox.accounts.models import Account
from inbox.conversations import repository as repo
from inbox.conversations.models import ConversationLabel
from inbox.reporting import blocks, report
from inbox.reporting.block_models import ReportBlock, ReportDirty
from inbox.reporting.models import Cycle, ResponseTurn
from inbox.reporting.report import ReportFilter
from inbox.users.models import Role
from tests.support.factories import add_user
from tests.support.units import in_unit

pytestmark = pytest.mark.asyncio
_accounts = Account.__table__  # type: ignore[attr-defined]
_cycles = Cycle.__table__  # type: ignore[attr-defined]
_turns = ResponseTurn.__table__  # type: ignore[attr-defined]
_labels = ConversationLabel.__table__  # type: ignore[attr-defined]
_blocks = ReportBlock.__table__  # type: ignore[attr-defined]
_dirty = ReportDirty.__table__  # type: ignore[attr-defined]

END = datetime.now(UTC).replace(microsecond=0)
START = END - timedelta(days=21)


async def _history(rt: Runtime, seed: int = 7) -> list[int]:
    """About 120 cycles over three weeks: two channels, three agents, two teams, labels,
    SLA flags, CSAT, unanswered and late turns. Returns the conversation ids."""
    agents = [await add_user(rt, f"a{i}@example.com", Role.AGENT) for i in range(3)]
    rng = random.Random(seed)

    async def body(conn: Any) -> list[int]:
        accounts = []
        for channel in ("telegram", "vk"):
            row = {"channel": channel, "name": channel, "external_id": channel, "token": "t"}
            result = await conn.execute(
                _accounts.insert().returning(_accounts.c.id),
                [{**row, "options": {}, "created_at": START}],
            )
            accounts.append((int(result.scalar_one()), channel))
        conversations = []
        for n in range(60):
            account_id, channel = accounts[n % 2]
            contact_id, _ = await repo.upsert_contact(
                conn,
                channel=channel,
                external_id=str(n),
                display_name=f"c{n}",
                username=None,
                language=None,
            )
            conv = await repo.upsert_conversation(
                conn,
                {
                    "account_id": account_id,
                    "channel": channel,
                    "kind": "direct",
                    "thread_key": f"dm:{n}",
                    "peer_id": str(n),
                    "contact_id": contact_id,
                    "last_message_at": END,
                },
            )
            conversations.append(int(conv.id))
            for label in rng.sample(["billing", "delivery", "vip"], rng.randint(0, 2)):
                await conn.execute(_labels.insert(), [{"conversation_id": conv.id, "label": label}])
            opened = START + timedelta(seconds=rng.uniform(0, 18 * 86400))
            for seq in (1, 2):
                await _cycle(conn, rng, conv.id, account_id, channel, seq, opened, agents)
                opened += timedelta(days=rng.uniform(0.2, 2))
        return conversations

    return await in_unit(rt.engine, body)


async def _cycle(
    conn: Any,
    rng: random.Random,
    conv: int,
    account: int,
    channel: str,
    seq: int,
    opened: datetime,
    agents: list[int],
) -> None:
    answered = rng.random() < 0.8
    resolved = opened + timedelta(hours=rng.uniform(1, 40)) if rng.random() < 0.7 else None
    first = rng.uniform(5, 5000) if answered else None
    agent = rng.choice([*agents, None])
    team = rng.choice([1, 2, None])
    row = {
        "conversation_id": conv,
        "seq": seq,
        "account_id": account,
        "channel": channel,
        "opened_at": opened,
        "first_response_agent_id": agent if answered else None,
        "first_response_team_id": team,
        "first_response_seconds": first,
        "first_response_bh_seconds": None if first is None else first * 0.5,
        "first_automated_seconds": rng.choice([None, 3.0, 4.5]),
        "resolved_at": resolved,
        "resolved_by_id": rng.choice(agents) if resolved else None,
        "resolution_seconds": (resolved - opened).total_seconds() if resolved else None,
        "agent_id": agent,
        "team_id": team,
        "csat_score": rng.choice([None, 1, 4, 5]) if resolved else None,
        "first_response_breached": rng.choice([None, True, False]),
        "resolution_breached": rng.choice([None, True, False]),
        "updated_at": END,
    }
    result = await conn.execute(_cycles.insert().returning(_cycles.c.id), [row])
    cycle_id = int(result.scalar_one())
    started = opened
    for turn in range(1, rng.randint(2, 4)):
        replied = (
            started + timedelta(seconds=rng.uniform(10, 9000)) if rng.random() < 0.85 else None
        )
        due = started + timedelta(hours=1) if rng.random() < 0.6 else None
        await conn.execute(
            _turns.insert(),
            [
                {
                    "cycle_id": cycle_id,
                    "conversation_id": conv,
                    "seq": turn,
                    "account_id": account,
                    "channel": channel,
                    "started_at": started,
                    "replied_at": replied,
                    "agent_id": agent if replied else None,
                    "team_id": team,
                    "native": False,
                    "seconds": (replied - started).total_seconds() if replied else None,
                    "bh_seconds": None,
                    "due_at": due,
                    "cycle_resolved_at": resolved,
                }
            ],
        )
        started += timedelta(hours=rng.uniform(1, 30))


def _requests() -> list[tuple[str, dict[str, Any]]]:
    f = {"start": START - timedelta(hours=5), "end": END + timedelta(minutes=1)}
    out: list[tuple[str, dict[str, Any]]] = [("summary", {"f": ReportFilter(**f)})]
    out += [("summary", {"f": ReportFilter(**f), "group": g}) for g in report.GROUPS]
    out += [
        ("summary", {"f": ReportFilter(**f, channel="vk")}),
        ("summary", {"f": ReportFilter(**f, team_id=1), "group": "agent"}),
        ("summary", {"f": ReportFilter(**f, label="vip"), "group": "channel"}),
        # a period cut inside days: the block's rows outside it must not count
        (
            "summary",
            {
                "f": ReportFilter(
                    start=START + timedelta(days=3, hours=7), end=END - timedelta(days=2, hours=3)
                )
            },
        ),
        ("timeseries", {"f": ReportFilter(**f, tz="Europe/Moscow"), "interval": "day"}),
        (
            "timeseries",
            {"f": ReportFilter(**f, tz="America/New_York"), "interval": "week", "group": "team"},
        ),
        ("timeseries", {"f": ReportFilter(**f), "interval": "day", "group": "label"}),
    ]
    return out


async def _answers(rt: Runtime) -> list[dict[str, Any]]:
    out = []
    for kind, kw in _requests():
        if kind == "summary":
            out.append(await report.summary(rt.engine, kw["f"], kw.get("group")))
        else:
            out.append(await report.timeseries(rt.engine, kw["f"], kw["interval"], kw.get("group")))
    return out


async def _rebuild_all(rt: Runtime) -> int:
    total = 0
    while True:
        done = await in_unit(rt.engine, lambda c: blocks.rebuild(c, limit=500, settle=0))
        total += done
        if not done:
            return total


async def _count(rt: Runtime, table: Any) -> int:
    async with rt.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-12)
    return bool(a == b)


async def test_blocks_give_the_figures_rows_give(runtime: Runtime, monkeypatch: Any) -> None:
    await _history(runtime)
    assert await _count(runtime, _dirty) > 0  # the triggers marked every day written
    from_rows = await _answers(runtime)
    assert from_rows[0]["total"]["cycles"] == 120

    rebuilt = await _rebuild_all(runtime)
    assert rebuilt >= 20
    assert await _count(runtime, _dirty) == 0
    assert await _count(runtime, _blocks) == rebuilt

    read_raw: list[tuple[str, datetime]] = []
    real_raw = blocks.raw

    async def counting(conn: Any, fam: Any, start: datetime, end: datetime) -> Any:
        read_raw.append((fam.name, start))
        return await real_raw(conn, fam, start, end)

    monkeypatch.setattr(blocks, "raw", counting)
    from_blocks = await _answers(runtime)
    for kind_kw, a, b in zip(_requests(), from_rows, from_blocks, strict=True):
        assert _close(a, b), kind_kw
    # only the days without any row (no block was ever built) are read as rows
    with_rows = set(await _block_days(runtime))
    assert read_raw
    assert all((name, s.date()) not in with_rows for name, s in read_raw)


async def _block_days(rt: Runtime) -> list[tuple[str, Any]]:
    async with rt.engine.connect() as conn:
        found = await conn.execute(
            select(_blocks.c.family, _blocks.c.day).where(_blocks.c.rows > 0)
        )
        return [(row.family, row.day) for row in found]


async def test_a_change_shows_before_its_day_is_rebuilt(runtime: Runtime) -> None:
    conversations = await _history(runtime, seed=11)
    await _rebuild_all(runtime)
    f = ReportFilter(start=START - timedelta(days=1), end=END + timedelta(minutes=1))
    before = await report.summary(runtime.engine, f, "label")

    async def change(conn: Any) -> None:  # an old cycle's first response, a new label
        first = (await conn.execute(select(_cycles.c.id).order_by(_cycles.c.opened_at))).first()
        await conn.execute(
            update(_cycles).where(_cycles.c.id == first.id).values(first_response_seconds=1e6)
        )
        await conn.execute(
            _labels.insert(), [{"conversation_id": conversations[0], "label": "brand-new"}]
        )

    await in_unit(runtime.engine, change)
    assert await _count(runtime, _dirty) > 0
    after = await report.summary(runtime.engine, f, "label")
    assert after["total"]["first_response"]["mean"] > before["total"]["first_response"]["mean"]
    keys = {g["key"] for g in after["groups"]}
    assert "brand-new" in keys
    assert "brand-new" not in {g["key"] for g in before["groups"]}

    # marks younger than the settle time wait; once rebuilt, the blocks say the same
    assert await in_unit(runtime.engine, lambda c: blocks.rebuild(c, settle=3600)) == 0
    await _rebuild_all(runtime)
    assert await _count(runtime, _dirty) == 0
    assert _close(await report.summary(runtime.engine, f, "label"), after)


async def test_a_resolve_moved_to_another_day_marks_both_days(runtime: Runtime) -> None:
    await _history(runtime, seed=3)
    await _rebuild_all(runtime)

    async def move(conn: Any) -> tuple[Any, Any]:
        row = (
            await conn.execute(
                select(_cycles.c.id, _cycles.c.resolved_at).where(
                    _cycles.c.resolved_at.is_not(None)
                )
            )
        ).first()
        later = row.resolved_at + timedelta(days=3)
        await conn.execute(update(_cycles).where(_cycles.c.id == row.id).values(resolved_at=later))
        return row.resolved_at.date(), later.date()

    old_day, new_day = await in_unit(runtime.engine, move)
    async with runtime.engine.connect() as conn:
        marked = set((await conn.execute(select(_dirty.c.family, _dirty.c.day).distinct())).all())
    assert {("resolved", old_day), ("resolved", new_day)} <= marked
