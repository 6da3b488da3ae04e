"""What the engine sees: a message, its contact and conversation as plain values, and time.

The inbox builds these from its rows; the engine never reads a database. Everything is frozen so
one ``Facts`` can be evaluated against several rule sets (dry runs) without surprises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rules import language as _language
from rules.calendar import BusinessCalendar


@dataclass(frozen=True, slots=True)
class MessageFacts:
    text: str
    channel: str  # telegram | vk | facebook | instagram
    account_id: int
    kind: str  # direct | comment
    direction: str  # in | out
    sender_type: str  # contact | agent | bot | system
    attachment_types: tuple[str, ...] = ()
    is_echo: bool = False


@dataclass(frozen=True, slots=True)
class ContactFacts:
    id: int
    display_name: str
    username: str | None
    language: str | None  # as the platform reports it (UI language), not detected
    is_new: bool
    labels: frozenset[str]  # in the inbox's normalised form (casefolded, spaces collapsed)
    subscribed: bool


@dataclass(frozen=True, slots=True)
class ConversationFacts:
    id: int
    status: str
    assignee_id: int | None
    team_id: int | None
    labels: frozenset[str]  # normalised, as on ContactFacts
    priority: str | None
    is_new: bool  # created by this message
    reopened: bool


@dataclass(frozen=True)
class Facts:
    """One evaluation's input. ``now`` must be timezone-aware (UTC by convention)."""

    event: str  # a rules.schema.Trigger value
    message: MessageFacts
    contact: ContactFacts
    conversation: ConversationFacts
    now: datetime
    calendar: BusinessCalendar | None = None
    minutes: int | None = None  # no_reply: the wait that ran out (only its rules run)
    sla_metric: str | None = None  # sla_breached: first_response | next_response | resolution
    # detection is costly: computed at most once, and only when asked
    _language: list[str | None] = field(default_factory=list, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.now.tzinfo is None or self.now.utcoffset() is None:
            raise ValueError("Facts.now must be timezone-aware")

    def language(self) -> str | None:
        """ISO 639-1 code detected from the message text (cached), or ``None`` when unsure.

        Detection loads a model and costs ~0.1-0.5 ms, so the engine calls this only while
        testing a ``language`` condition, after the cheaper tests beside it have passed.
        """
        if not self._language:
            self._language.append(_language.detect_language(self.message.text))
        return self._language[0]
