"""The outbox: every platform call the service makes, first written down, then delivered.

A row is written in the same transaction as what caused it (the agent's reply, the rule that
fired), so a crash can neither lose the send nor make it twice. ``idempotency_key`` is unique:
the same cause enqueued again (a redelivered webhook, a retried API call) finds its row.
What the row asks for is one typed :class:`OutboxRequest`, written into the ``request`` column
by :meth:`OutboxRequest.to_json` and read back once, when the row is claimed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from inbox.events import ThreadKind
from inbox.outbound import Button, buttons_from_json, buttons_to_json
from inbox.types import UTCDateTime, utcnow


class OutboxStatus(StrEnum):
    QUEUED = "queued"  # waiting for its turn (or for a retry)
    LEASED = "leased"  # taken by a sender, waiting for its rate-limit slot: not called yet
    SENDING = "sending"  # the call is being made: written before the call, checked after a crash
    SENT = "sent"
    FAILED = "failed"


class OutboxRow(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "available_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200, unique=True)
    account_id: int = Field(sa_column=Column(Integer, ForeignKey("accounts.id"), nullable=False))
    conversation_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("conversations.id"), nullable=True)
    )
    message_id: int | None = Field(  # the outbound message agents see (for sends)
        default=None, sa_column=Column(Integer, ForeignKey("messages.id"), nullable=True)
    )
    action: str = Field(max_length=16)  # send | hide | unhide | delete | webhook
    request: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    status: str = Field(default=OutboxStatus.QUEUED.value, max_length=16)
    attempts: int = 0
    available_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    lease_until: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    external_id: str | None = Field(default=None, max_length=255)
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    finished_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


@dataclass(frozen=True, slots=True)
class OutboxRequest:
    """What one outbox row asks for: a reply or a moderation call in a conversation, a
    campaign's message, or a rule's webhook (``url``, ``secret``, ``body``).

    ``peer_id`` and ``post_id`` are the conversation's; ``recipient_id`` the customer's platform
    id (a private reply goes there); ``contact_id`` the customer (the messaging window, and
    who becomes unreachable). ``defect`` is never written: it says what a stored row holds that
    cannot be sent, so that row fails alone instead of stopping the claim it came in.
    """

    thread_kind: ThreadKind = ThreadKind.DIRECT
    peer_id: str = ""
    text: str = ""
    post_id: str | None = None
    target_external_id: str | None = None
    recipient_id: str | None = None
    private: bool = False
    contact_id: int | None = None
    buttons: tuple[Button, ...] = ()
    url: str | None = None
    secret: str | None = None
    body: str | None = None
    campaign_id: int | None = None
    campaign_recipient_id: int | None = None  # ("recipient_id" is the customer's platform id)
    defect: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``request`` column: unset fields left out (rows written before a field existed
        read the same), buttons only when there are some."""
        values: dict[str, Any] = {
            "thread_kind": self.thread_kind.value,
            "peer_id": self.peer_id,
            "text": self.text,
            "post_id": self.post_id,
            "target_external_id": self.target_external_id,
            "recipient_id": self.recipient_id,
            "private": self.private,
            "contact_id": self.contact_id,
            "buttons": buttons_to_json(self.buttons) if self.buttons else None,
            "url": self.url,
            "secret": self.secret,
            "body": self.body,
            "campaign_id": self.campaign_id,
            "campaign_recipient_id": self.campaign_recipient_id,
        }
        return {name: value for name, value in values.items() if value is not None}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> OutboxRequest:
        """Read a ``request`` column back, as any version of the service wrote it."""
        r = raw or {}
        defects: list[str] = []
        try:
            buttons = buttons_from_json(r.get("buttons"))
        except ValueError as exc:
            buttons = ()
            defects.append(f"the stored buttons cannot be sent: {exc}")
        try:
            kind = ThreadKind(r.get("thread_kind", ThreadKind.DIRECT))
        except ValueError:
            defects.append(f"the stored thread kind {r.get('thread_kind')!r} is not one we know")
            kind = ThreadKind.DIRECT
        return cls(
            thread_kind=kind,
            peer_id=str(r.get("peer_id", "")),
            text=str(r.get("text", "")),
            post_id=_text(r.get("post_id")),
            target_external_id=_text(r.get("target_external_id")),
            recipient_id=_text(r.get("recipient_id")),
            private=bool(r.get("private", False)),
            contact_id=_number(r, "contact_id", defects),
            buttons=buttons,
            url=_text(r.get("url")),
            secret=_text(r.get("secret")),
            body=_text(r.get("body")),
            campaign_id=_number(r, "campaign_id", defects),
            campaign_recipient_id=_number(r, "campaign_recipient_id", defects),
            defect="; ".join(defects) or None,
        )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _number(raw: Mapping[str, Any], key: str, defects: list[str]) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        defects.append(f"the stored {key} {value!r} is not a number")
        return None
