"""The recorder upserts the cycle columns it derives from the table: a replay must give each one
a value, or an upsert would reset a column nothing computed."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from inbox.reporting import sla
from inbox.reporting.cycles import CycleFacts
from inbox.reporting.recorder import CYCLE_REPLAYED, cycle_values


def test_a_replay_gives_every_replayed_cycle_column_a_value() -> None:
    cycle = CycleFacts(seq=1, opened_at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    conversation = SimpleNamespace(account_id=1, channel="telegram")
    written = {
        *cycle_values(conversation, cycle, None, (None, None, None)),
        *sla.cycle_deadlines(cycle, None, None),
    }
    assert written == set(CYCLE_REPLAYED)
    assert "csat_score" not in written  # the survey's answer is never overwritten by a replay
