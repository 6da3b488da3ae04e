"""turn rows carry their cycle's resolve time (reports read turns without joining cycles)

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import inbox.types

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('response_turns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cycle_resolved_at', inbox.types.UTCDateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE response_turns SET cycle_resolved_at = ("
        " SELECT conversation_cycles.resolved_at FROM conversation_cycles"
        " WHERE conversation_cycles.id = response_turns.cycle_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table('response_turns', schema=None) as batch_op:
        batch_op.drop_column('cycle_resolved_at')
