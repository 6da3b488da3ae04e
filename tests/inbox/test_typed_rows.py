"""Internal reads return frozen dataclasses built from exactly the columns their statement
reads: a column added to one and not the other fails here, not in the worker at run time.
The shapes the worker builds per message are taken by position, so there the order counts."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, fields
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Select

from inbox.automation.timed import LAST_CUSTOMER_MESSAGE, CustomerMessage
from inbox.changes import ConversationSnapshot
from inbox.conversations import statements as sql
from inbox.conversations.repository import KnownMessage
from inbox.reporting.recorder import LAST_CYCLE, LastCycle


def _names(shape: Any) -> list[str]:
    return [f.name for f in fields(shape)]


def _selected(statement: Select[Any]) -> list[str]:
    return [c.name for c in statement.selected_columns]


@pytest.mark.parametrize(
    ("statement", "shape"),
    [
        (sql.CONVERSATION_BY_THREAD, ConversationSnapshot),
        (sql.CONVERSATION_BY_ID, ConversationSnapshot),
        (sql.MESSAGE_BY_EXTERNAL, KnownMessage),
        (LAST_CYCLE, LastCycle),
        (LAST_CUSTOMER_MESSAGE, CustomerMessage),
    ],
)
def test_a_statement_reads_exactly_its_shape(statement: Select[Any], shape: Any) -> None:
    assert sorted(_selected(statement)) == sorted(_names(shape))


@pytest.mark.parametrize(
    ("statement", "shape"),
    [
        (sql.CONVERSATION_BY_THREAD, ConversationSnapshot),
        (sql.CONVERSATION_BY_ID, ConversationSnapshot),
        (LAST_CYCLE, LastCycle),
    ],
)
def test_a_shape_built_by_position_has_its_statement_s_order(
    statement: Select[Any], shape: Any
) -> None:
    assert _selected(statement) == _names(shape)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_a_new_conversation_returns_the_same_shape(dialect: str) -> None:
    returned = [c.name for c in sql.insert_conversation(dialect).exported_columns]
    assert returned == _names(ConversationSnapshot)


def test_a_snapshot_takes_its_columns_and_cannot_change() -> None:
    at = datetime(2026, 1, 5, 9, tzinfo=UTC)
    row = {**dict.fromkeys(_names(ConversationSnapshot)), "id": 7, "status": "open"}
    snapshot = ConversationSnapshot.of(tuple({**row, "last_message_at": at}.values()))
    assert (snapshot.id, snapshot.status, snapshot.last_message_at) == (7, "open", at)
    with pytest.raises(FrozenInstanceError):
        snapshot.status = "resolved"  # type: ignore[misc]
