"""SLA clock: no-reply timer firings, open-cycle deadline indexes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import inbox.types

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('no_reply_firings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('turn_seq', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('fired_at', inbox.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ),
    sa.ForeignKeyConstraint(['cycle_id'], ['conversation_cycles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cycle_id', 'turn_seq', 'minutes', name='uq_no_reply_firing')
    )
    with op.batch_alter_table('conversation_cycles', schema=None) as batch_op:
        batch_op.create_index('ix_cycles_open_first_due', ['resolved_at', 'first_response_due_at'], unique=False)
        batch_op.create_index('ix_cycles_open_resolution_due', ['resolved_at', 'resolution_due_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('conversation_cycles', schema=None) as batch_op:
        batch_op.drop_index('ix_cycles_open_resolution_due')
        batch_op.drop_index('ix_cycles_open_first_due')

    op.drop_table('no_reply_firings')
