"""report blocks (a family's rows of a UTC day, as columns) and the triggers marking changed days

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import inbox.types
from inbox.reporting.block_triggers import drops, mark_all, statements

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'report_blocks',
        sa.Column('family', sa.String(length=16), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('built_at', inbox.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('family', 'day'),
    )
    op.create_table(
        'report_dirty',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('family', sa.String(length=16), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column(
            'marked_at',
            inbox.types.UTCDateTime(timezone=True),
            server_default=sa.text('CURRENT_TIMESTAMP'),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_report_dirty_day', 'report_dirty', ['family', 'day'], unique=False)
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':  # numbers: pglz would cost every read and save little
        op.execute("ALTER TABLE report_blocks ALTER COLUMN data SET STORAGE EXTERNAL")
    for sql in statements(dialect):
        op.execute(sql)
    for sql in mark_all(dialect):  # history from before the triggers: built by the SLA clock
        op.execute(sql)


def downgrade() -> None:
    for sql in drops(op.get_bind().dialect.name):
        op.execute(sql)
    op.drop_index('ix_report_dirty_day', table_name='report_dirty')
    op.drop_table('report_dirty')
    op.drop_table('report_blocks')
