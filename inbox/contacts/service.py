"""Changes agents make to a contact: the labels on the person (VIP, wholesale, …)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete

from inbox.conversations.models import ContactLabel
from inbox.conversations.service import InvalidChange, normalise_label
from inbox.db import Conn, dialect_of, insert_ignore

_labels = ContactLabel.__table__  # type: ignore[attr-defined]

MAX_LABELS = 50


async def set_labels(conn: Conn, contact_id: int, labels: Iterable[str]) -> None:
    """Replace the contact's labels with this set (normalised like conversation labels, so a
    rule's ``contact_labels_any: [VIP]`` matches a label an agent typed as ``vip``).

    Raises ``InvalidChange`` for a blank or over-long label or more than :data:`MAX_LABELS`.
    """
    wanted = list(dict.fromkeys(normalise_label(label) for label in labels))
    if len(wanted) > MAX_LABELS:
        raise InvalidChange(f"a contact has at most {MAX_LABELS} labels")
    await conn.execute(delete(_labels).where(_labels.c.contact_id == contact_id))
    if wanted:
        await conn.execute(
            insert_ignore(dialect_of(conn), _labels, ["contact_id", "label"]),
            [{"contact_id": contact_id, "label": label} for label in wanted],
        )
