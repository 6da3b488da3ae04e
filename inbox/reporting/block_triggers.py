"""Triggers that mark a report day as changed whenever a row a report reads changes.

A cycle marks the day it opened (``opened``) and the day it was resolved (``resolved``), a
turn the day it started (``turns``), before and after the change; a label added to or taken
off a conversation marks every day its cycles and turns count in. Days are UTC dates.

Migration 0009 runs these statements; ``metadata.create_all`` runs them too (see
``block_models``). A later change to them needs a new migration.
"""

from __future__ import annotations

_PG_MARK = """
CREATE OR REPLACE FUNCTION report_mark(fam text, at timestamptz) RETURNS void AS $$
BEGIN
  IF at IS NOT NULL THEN
    INSERT INTO report_dirty (family, day) VALUES (fam, (at AT TIME ZONE 'UTC')::date);
  END IF;
END $$ LANGUAGE plpgsql
"""

_PG_CYCLES = """
CREATE OR REPLACE FUNCTION report_mark_cycle() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    PERFORM report_mark('opened', NEW.opened_at);
    PERFORM report_mark('resolved', NEW.resolved_at);
  END IF;
  IF TG_OP = 'DELETE' OR OLD.opened_at IS DISTINCT FROM NEW.opened_at THEN
    PERFORM report_mark('opened', OLD.opened_at);
  END IF;
  IF TG_OP = 'DELETE' OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at THEN
    PERFORM report_mark('resolved', OLD.resolved_at);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql
"""

_PG_TURNS = """
CREATE OR REPLACE FUNCTION report_mark_turn() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    PERFORM report_mark('turns', NEW.started_at);
  END IF;
  IF TG_OP = 'DELETE' OR OLD.started_at IS DISTINCT FROM NEW.started_at THEN
    PERFORM report_mark('turns', OLD.started_at);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql
"""

_PG_CONVERSATION = """
CREATE OR REPLACE FUNCTION report_mark_conversation(conv integer) RETURNS void AS $$
BEGIN
  INSERT INTO report_dirty (family, day)
    SELECT 'opened', (opened_at AT TIME ZONE 'UTC')::date
      FROM conversation_cycles WHERE conversation_id = conv
    UNION SELECT 'resolved', (resolved_at AT TIME ZONE 'UTC')::date
      FROM conversation_cycles WHERE conversation_id = conv AND resolved_at IS NOT NULL
    UNION SELECT 'turns', (started_at AT TIME ZONE 'UTC')::date
      FROM response_turns WHERE cycle_id IN
        (SELECT id FROM conversation_cycles WHERE conversation_id = conv);
END $$ LANGUAGE plpgsql
"""

_PG_LABELS = """
CREATE OR REPLACE FUNCTION report_mark_labels() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    PERFORM report_mark_conversation(NEW.conversation_id);
  END IF;
  IF TG_OP = 'DELETE' OR OLD.conversation_id <> NEW.conversation_id THEN
    PERFORM report_mark_conversation(OLD.conversation_id);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql
"""

POSTGRES = [
    _PG_MARK,
    _PG_CYCLES,
    _PG_TURNS,
    _PG_CONVERSATION,
    _PG_LABELS,
    "CREATE TRIGGER report_mark_cycles AFTER INSERT OR UPDATE OR DELETE ON conversation_cycles"
    " FOR EACH ROW EXECUTE FUNCTION report_mark_cycle()",
    "CREATE TRIGGER report_mark_turns AFTER INSERT OR UPDATE OR DELETE ON response_turns"
    " FOR EACH ROW EXECUTE FUNCTION report_mark_turn()",
    "CREATE TRIGGER report_mark_labels AFTER INSERT OR UPDATE OR DELETE ON conversation_labels"
    " FOR EACH ROW EXECUTE FUNCTION report_mark_labels()",
]

_MARK = "INSERT INTO report_dirty (family, day) SELECT '{family}', date({row}.{column})"


def _sqlite_marks(family: str, column: str, event: str) -> str:
    new = _MARK.format(family=family, row="NEW", column=column)
    old = _MARK.format(family=family, row="OLD", column=column)
    if event == "INSERT":
        return f"{new} WHERE NEW.{column} IS NOT NULL;"
    if event == "DELETE":
        return f"{old} WHERE OLD.{column} IS NOT NULL;"
    return (
        f"{new} WHERE NEW.{column} IS NOT NULL;"
        f" {old} WHERE OLD.{column} IS NOT NULL AND OLD.{column} IS NOT NEW.{column};"
    )


def _sqlite_table(table: str, name: str, marks: list[tuple[str, str]]) -> list[str]:
    out = []
    for event in ("INSERT", "UPDATE", "DELETE"):
        body = " ".join(_sqlite_marks(family, column, event) for family, column in marks)
        out.append(
            f"CREATE TRIGGER report_mark_{name}_{event.lower()} AFTER {event} ON {table}"
            f" BEGIN {body} END"
        )
    return out


def _sqlite_conversation(conv: str) -> str:
    # DDL from constants in this module (``conv`` is NEW/OLD.conversation_id), never input
    return (
        "INSERT INTO report_dirty (family, day)"  # noqa: S608
        f" SELECT 'opened', date(opened_at) FROM conversation_cycles WHERE conversation_id = {conv}"
        " UNION SELECT 'resolved', date(resolved_at) FROM conversation_cycles"
        f" WHERE conversation_id = {conv} AND resolved_at IS NOT NULL"
        " UNION SELECT 'turns', date(started_at) FROM response_turns WHERE cycle_id IN"
        f" (SELECT id FROM conversation_cycles WHERE conversation_id = {conv});"
    )


def _sqlite_labels(event: str) -> str:
    rows = {"INSERT": ["NEW"], "DELETE": ["OLD"], "UPDATE": ["NEW", "OLD"]}[event]
    body = " ".join(_sqlite_conversation(f"{row}.conversation_id") for row in rows)
    return (
        f"CREATE TRIGGER report_mark_labels_{event.lower()} AFTER {event} ON conversation_labels"
        f" BEGIN {body} END"
    )


SQLITE = [
    *_sqlite_table(
        "conversation_cycles", "cycles", [("opened", "opened_at"), ("resolved", "resolved_at")]
    ),
    *_sqlite_table("response_turns", "turns", [("turns", "started_at")]),
    *[_sqlite_labels(event) for event in ("INSERT", "UPDATE", "DELETE")],
]

DROP_POSTGRES = [
    "DROP TRIGGER IF EXISTS report_mark_cycles ON conversation_cycles",
    "DROP TRIGGER IF EXISTS report_mark_turns ON response_turns",
    "DROP TRIGGER IF EXISTS report_mark_labels ON conversation_labels",
    "DROP FUNCTION IF EXISTS report_mark_cycle()",
    "DROP FUNCTION IF EXISTS report_mark_turn()",
    "DROP FUNCTION IF EXISTS report_mark_labels()",
    "DROP FUNCTION IF EXISTS report_mark_conversation(integer)",
    "DROP FUNCTION IF EXISTS report_mark(text, timestamptz)",
]
DROP_SQLITE = [
    f"DROP TRIGGER IF EXISTS report_mark_{name}_{event}"
    for name in ("cycles", "turns", "labels")
    for event in ("insert", "update", "delete")
]


def statements(dialect: str) -> list[str]:
    return POSTGRES if dialect == "postgresql" else SQLITE


def drops(dialect: str) -> list[str]:
    return DROP_POSTGRES if dialect == "postgresql" else DROP_SQLITE


# Every day that has rows, for a database that had rows before the triggers existed.
MARK_ALL = [
    "INSERT INTO report_dirty (family, day) SELECT DISTINCT 'opened', {day_opened}"
    " FROM conversation_cycles",
    "INSERT INTO report_dirty (family, day) SELECT DISTINCT 'resolved', {day_resolved}"
    " FROM conversation_cycles WHERE resolved_at IS NOT NULL",
    "INSERT INTO report_dirty (family, day) SELECT DISTINCT 'turns', {day_started}"
    " FROM response_turns",
]


def mark_all(dialect: str) -> list[str]:
    def day(column: str) -> str:
        if dialect == "postgresql":
            return f"({column} AT TIME ZONE 'UTC')::date"
        return f"date({column})"

    return [
        sql.format(
            day_opened=day("opened_at"),
            day_resolved=day("resolved_at"),
            day_started=day("started_at"),
        )
        for sql in MARK_ALL
    ]
