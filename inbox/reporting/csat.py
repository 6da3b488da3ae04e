"""Customer satisfaction: a 1-5 survey after a resolve, answered with a button press.

The survey goes out in the conversation's own channel as buttons whose payload names the
cycle (``csat:<cycle id>:<score>``), so an answer finds its cycle even after the next cycle
has opened, and never counts as a customer turn or reopens the conversation. The survey is a
reaction to a resolve (:func:`ask_csat_after_resolve`, :mod:`inbox.changes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from inbox.accounts.models import Account
from inbox.changes import Change, Changes, ConversationChanged, ConversationSnapshot
from inbox.conversations.models import Contact, ConversationStatus, SenderType
from inbox.db import Conn
from inbox.events import ThreadKind
from inbox.outbound import Button
from inbox.outbox.enqueue import Reply, conversation_row, enqueue_reply
from inbox.platforms import traits_of
from inbox.reporting.models import Cycle
from inbox.reporting.timeline import CSAT_PREFIX
from inbox.types import utcnow

_cycles = Cycle.__table__  # type: ignore[attr-defined]
_accounts = Account.__table__  # type: ignore[attr-defined]
_contacts = Contact.__table__  # type: ignore[attr-defined]
SCORES = range(1, 6)


def answer_payload(cycle_id: int, score: int) -> str:
    return f"{CSAT_PREFIX}{cycle_id}:{score}"


def parse_answer(payload: str | None) -> tuple[int, int] | None:
    """``(cycle id, score)`` of a survey answer's payload; None for any other payload."""
    if not payload or not payload.startswith(CSAT_PREFIX):
        return None
    parts = payload[len(CSAT_PREFIX) :].split(":")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    cycle_id, score = int(parts[0]), int(parts[1])
    return (cycle_id, score) if score in SCORES else None


async def record_answer(
    conn: Conn, conversation_id: int, cycle_id: int, score: int, at: datetime
) -> bool:
    """Store the rating on a cycle we asked about; the latest answer wins (a changed mind)."""
    result = await conn.execute(
        update(_cycles)
        .where(
            _cycles.c.id == cycle_id,
            _cycles.c.conversation_id == conversation_id,
            _cycles.c.csat_requested_at.is_not(None),
        )
        .values(csat_score=score, csat_at=at)
    )
    return bool(result.rowcount)


QUESTIONS = {
    "en": "How would you rate our help? 1 = poor, 5 = excellent",
    "ru": "Оцените, пожалуйста, нашу помощь: 1 — плохо, 5 — отлично",
    "ko": "상담은 어떠셨나요? 1 = 불만족, 5 = 매우 만족",
}
THANKS = {
    "en": "Thank you for your rating!",
    "ru": "Спасибо за оценку!",
    "ko": "평가해 주셔서 감사합니다!",
}
# Where the platform lets an account message a person only for a while after their last
# message (Meta: 24 h), a survey is not a human agent's reply, so it goes only inside the open
# part of that window, with this to spare.
SURVEY_WINDOW_SPARE = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class SurveySettings:
    enabled: bool = False
    question: str | None = None  # None: the default question in the contact's language

    @classmethod
    def of(cls, options: dict[str, Any] | None) -> SurveySettings:
        raw = (options or {}).get("csat") or {}
        question = raw.get("question")
        return cls(
            enabled=bool(raw.get("enabled")),
            question=question if isinstance(question, str) and question.strip() else None,
        )


def _language(code: str | None) -> str:
    short = (code or "en").split("-")[0].lower()
    return short if short in QUESTIONS else "en"


async def _context(
    conn: Conn, conversation: ConversationSnapshot
) -> tuple[SurveySettings, str] | None:
    options = await conn.scalar(
        select(_accounts.c.options).where(_accounts.c.id == conversation.account_id)
    )
    survey = SurveySettings.of(options)
    if not survey.enabled or conversation.kind != ThreadKind.DIRECT.value:
        return None  # a public comment thread gets no survey: no platform has buttons there
    language = await conn.scalar(
        select(_contacts.c.language).where(_contacts.c.id == conversation.contact_id)
    )
    return survey, _language(language)


async def ask_csat_after_resolve(conn: Conn, batch: Sequence[Change], changes: Changes) -> None:
    """Reaction: each resolve asks for the survey (its reply goes into ``changes``)."""
    for c in batch:
        if isinstance(c, ConversationChanged) and c.status == ConversationStatus.RESOLVED.value:
            await ask_after_resolve(conn, c.conversation_id, changes)


async def ask_after_resolve(conn: Conn, conversation_id: int, changes: Changes) -> bool:
    """Queue the survey for the cycle just resolved, once; True if it was queued."""
    conversation = await conversation_row(conn, conversation_id)
    if conversation is None:
        return False
    found = await _context(conn, conversation)
    if found is None:
        return False
    survey, language = found
    now = utcnow()
    window = traits_of(conversation.channel).window
    if window is not None:
        last = conversation.last_customer_message_at
        if last is None or now - last > window.open_for - SURVEY_WINDOW_SPARE:
            return False
    cycle = (
        await conn.execute(
            select(_cycles.c.id, _cycles.c.csat_requested_at)
            .where(_cycles.c.conversation_id == conversation_id, _cycles.c.resolved_at.is_not(None))
            .order_by(_cycles.c.seq.desc())
            .limit(1)
        )
    ).first()
    if cycle is None or cycle.csat_requested_at is not None:
        return False  # nothing measured was resolved, or this cycle was asked already
    buttons = tuple(Button(text=str(n), payload=answer_payload(cycle.id, n)) for n in SCORES)
    text = survey.question or QUESTIONS[language]
    reply = Reply(
        text=text,
        sender_type=SenderType.BOT,
        idempotency_key=f"csat:{cycle.id}",
        buttons=buttons,
    )
    await enqueue_reply(conn, conversation, reply, changes)
    await conn.execute(
        update(_cycles).where(_cycles.c.id == cycle.id).values(csat_requested_at=now)
    )
    return True


async def thank(conn: Conn, conversation_id: int, cycle_id: int, changes: Changes) -> None:
    """A short thank-you for an answer (once per cycle), so a pressed button gets a reply."""
    conversation = await conversation_row(conn, conversation_id)
    if conversation is None:
        return
    found = await _context(conn, conversation)
    if found is None:
        return
    _survey, language = found
    reply = Reply(
        text=THANKS[language], sender_type=SenderType.BOT, idempotency_key=f"csat-thanks:{cycle_id}"
    )
    await enqueue_reply(conn, conversation, reply, changes)
