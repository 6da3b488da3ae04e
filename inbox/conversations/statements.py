"""The worker's hot statements, built once and executed with parameter dicts.

Building a Core statement on every call (expressions, coercions, the cache key) cost the
worker several times what SQLite took to run it. A statement object built once keeps its
memoized cache key, so each execution goes straight to SQLAlchemy's compiled cache. The
UPDATEs name no SET columns: they take them from the parameters' keys (each key set is
compiled once), and their WHERE binds are prefixed ``b_`` so no name clashes with a column.
The insert-or-ignore statements depend on the dialect, so they are built once per dialect.
"""

from __future__ import annotations

import functools
from dataclasses import fields

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from inbox.changes import ConversationSnapshot
from inbox.conversations.models import AccountContact, Contact, Conversation, Message
from inbox.db import insert_ignore

contacts = Contact.__table__  # type: ignore[attr-defined]
account_contacts = AccountContact.__table__  # type: ignore[attr-defined]
conversations = Conversation.__table__  # type: ignore[attr-defined]
messages = Message.__table__  # type: ignore[attr-defined]

_contact_columns = (contacts.c.id, contacts.c.display_name, contacts.c.username)
CONTACT_BY_IDENTITY = select(*_contact_columns).where(
    contacts.c.channel == bindparam("channel"),
    contacts.c.external_id == bindparam("external_id"),
)
CONTACT_UPDATE = update(contacts).where(contacts.c.id == bindparam("b_id"))

# What :class:`inbox.changes.ConversationSnapshot` holds, in its order (it is built by
# position): the worker's own needs, what the metrics recorder reads (so it needs no second
# look at the row) and what a reply is sent to.
_conversation_columns = tuple(conversations.c[f.name] for f in fields(ConversationSnapshot))
CONVERSATION_BY_THREAD = select(*_conversation_columns).where(
    conversations.c.account_id == bindparam("account_id"),
    conversations.c.thread_key == bindparam("thread_key"),
)
CONVERSATION_BY_ID = select(*_conversation_columns).where(conversations.c.id == bindparam("b_id"))
CONVERSATION_ID_BY_THREAD = select(conversations.c.id).where(
    conversations.c.account_id == bindparam("account_id"),
    conversations.c.thread_key == bindparam("thread_key"),
)
CONVERSATION_UPDATE = update(conversations).where(conversations.c.id == bindparam("b_id"))

MESSAGE_BY_EXTERNAL = select(
    messages.c.id,
    messages.c.conversation_id,
    messages.c.text,
    messages.c.edit_history,
    messages.c.deleted_at,
).where(
    messages.c.account_id == bindparam("account_id"),
    messages.c.external_id == bindparam("external_id"),
)
MESSAGE_UPDATE = update(messages).where(messages.c.id == bindparam("b_id"))


@functools.cache
def insert_contact(dialect: str) -> Insert:
    """Insert-or-ignore on the identity, returning what :data:`CONTACT_BY_IDENTITY` reads."""
    return insert_ignore(dialect, contacts, ["channel", "external_id"]).returning(*_contact_columns)


@functools.cache
def insert_conversation(dialect: str) -> Insert:
    """Insert-or-ignore on the thread, returning what :data:`CONVERSATION_BY_THREAD` reads."""
    return insert_ignore(dialect, conversations, ["account_id", "thread_key"]).returning(
        *_conversation_columns
    )


@functools.cache
def insert_message(dialect: str) -> Insert:
    return insert_ignore(dialect, messages, ["account_id", "external_id"]).returning(messages.c.id)


@functools.cache
def insert_account_contact(dialect: str) -> Insert:
    return insert_ignore(dialect, account_contacts, ["account_id", "contact_id"])


@functools.cache
def upsert_account_contact(dialect: str, keys: tuple[str, ...]) -> Insert:
    """Insert the pair with ``keys`` set, or set ``keys`` on the existing pair: one statement
    where an insert-or-ignore and an UPDATE used to be two."""
    index = ["account_id", "contact_id"]
    if dialect == "postgresql":
        pg = postgresql.insert(account_contacts)
        return pg.on_conflict_do_update(
            index_elements=index, set_={k: pg.excluded[k] for k in keys}
        )
    if dialect == "sqlite":
        lite = sqlite.insert(account_contacts)
        return lite.on_conflict_do_update(
            index_elements=index, set_={k: lite.excluded[k] for k in keys}
        )
    raise NotImplementedError(f"unsupported database dialect {dialect!r}")
