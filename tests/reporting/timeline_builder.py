"""Write a conversation's history with explicit timestamps, then replay it (both backends).

Messages and status changes go into the real tables; ``record`` is the recorder the worker,
the outbox and the status changes call, so these tests pin the definitions on stored rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from api.runtime import Runtime
from inbox.accounts.models import Account
from inbox.conversations import repository as repo
from inbox.conversations.models import Message
from inbox.reporting.models import Cycle, ResponseTurn, StatusChange
from inbox.reporting.recorder import record
from tests.support.units import in_unit

_m = Message.__table__  # type: ignore[attr-defined]
_log = StatusChange.__table__  # type: ignore[attr-defined]
_cycles = Cycle.__table__  # type: ignore[attr-defined]
_turns = ResponseTurn.__table__  # type: ignore[attr-defined]
_accounts = Account.__table__  # type: ignore[attr-defined]


@dataclass
class History:
    rt: Runtime
    t0: datetime
    account_id: int = 0
    conversation_id: int = 0
    _n: int = 0
    steps: list[tuple[str, float, dict[str, Any]]] = field(default_factory=list)

    def at(self, minutes: float) -> datetime:
        return self.t0 + timedelta(minutes=minutes)

    async def setup(
        self, *, calendar: dict[str, Any] | None = None, team_id: int | None = None
    ) -> None:
        async def body(conn: Any) -> None:
            self.account_id = int(
                (
                    await conn.execute(
                        _accounts.insert().returning(_accounts.c.id),
                        [
                            {
                                "channel": "telegram",
                                "name": "metrics",
                                "external_id": "999",
                                "token": "t",
                                "options": {"calendar": calendar} if calendar else {},
                                "created_at": self.t0,
                            }
                        ],
                    )
                ).scalar_one()
            )
            contact_id, _ = await repo.upsert_contact(
                conn,
                channel="telegram",
                external_id="42",
                display_name="Ann",
                username=None,
                language=None,
            )
            row = await repo.upsert_conversation(
                conn,
                {
                    "account_id": self.account_id,
                    "channel": "telegram",
                    "kind": "direct",
                    "thread_key": "dm:42",
                    "peer_id": "42",
                    "contact_id": contact_id,
                    "last_message_at": self.t0,
                    "team_id": team_id,
                },
            )
            self.conversation_id = int(row.id)

        await in_unit(self.rt.engine, body)

    async def _message(self, minutes: float, **values: Any) -> None:
        self._n += 1
        base = {
            "conversation_id": self.conversation_id,
            "account_id": self.account_id,
            "external_id": f"m{self._n}",
            "kind": "message",
            "text": "…",
            "attachments": [],
            "edit_history": [],
            "private": False,
            "platform_ts": self.at(minutes),
            "created_at": self.at(minutes),
        }
        await self._write(_m.insert(), {**base, **values})

    async def _write(self, stmt: Any, values: dict[str, Any]) -> None:
        async def body(conn: Any) -> None:
            await conn.execute(stmt, [values])
            conversation = await repo.get_conversation_row(conn, self.conversation_id)
            await record(conn, conversation)

        await in_unit(self.rt.engine, body)

    async def customer(self, minutes: float, **extra: Any) -> None:
        await self._message(minutes, direction="in", sender_type="contact", **extra)

    async def agent(self, minutes: float, agent_id: int, team_id: int | None = None) -> None:
        await self._message(
            minutes,
            direction="out",
            sender_type="agent",
            sender_id=agent_id,
            team_id=team_id,
            delivery_status="sent",
        )

    async def native(self, minutes: float) -> None:
        await self._message(minutes, direction="out", sender_type="agent", sender_id=None)

    async def bot(self, minutes: float, status: str = "sent") -> None:
        await self._message(minutes, direction="out", sender_type="bot", delivery_status=status)

    async def note(self, minutes: float, agent_id: int) -> None:
        await self._message(
            minutes,
            direction="out",
            sender_type="agent",
            sender_id=agent_id,
            kind="note",
            private=True,
        )

    async def resolve(self, minutes: float, by: int | None = None) -> None:
        await self._write(
            _log.insert(),
            {
                "conversation_id": self.conversation_id,
                "status": "resolved",
                "at": self.at(minutes),
                "actor_id": by,
            },
        )

    async def cycles(self) -> list[Any]:
        async with self.rt.engine.connect() as conn:
            rows = await conn.execute(
                select(_cycles)
                .where(_cycles.c.conversation_id == self.conversation_id)
                .order_by(_cycles.c.seq)
            )
            return list(rows)

    async def turns(self) -> list[Any]:
        async with self.rt.engine.connect() as conn:
            rows = await conn.execute(
                select(_turns)
                .where(_turns.c.conversation_id == self.conversation_id)
                .order_by(_turns.c.cycle_id, _turns.c.seq)
            )
            return list(rows)
