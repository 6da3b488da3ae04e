"""Split a Meta batch into entries, and key a single-entry delivery for dedup.

Meta batches entries of several Pages / IG accounts into one POST. The HTTP layer routes each
entry to the account whose page id (``object`` "page") or IG user id (``object`` "instagram")
equals the entry id, and queues it alone as ``wrap_entry(object, entry)``; the worker later
normalises that single-entry payload.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from bots.facebook.fields import ident
from inbox.events import AnomalousPayload


def payload_object(payload: Mapping[str, Any]) -> str:
    """The envelope's ``object`` ("page", "instagram", ...)."""
    if not isinstance(payload, Mapping):
        raise AnomalousPayload("payload: expected an object")
    value = payload.get("object")
    if not isinstance(value, str) or not value:
        raise AnomalousPayload("object: expected a non-empty string")
    return value


def split_entries(payload: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``(entry id, entry)`` for every entry, in order, for routing to accounts."""
    payload_object(payload)
    entries = payload.get("entry")
    if not isinstance(entries, list):
        raise AnomalousPayload("entry: expected a list")
    result: list[tuple[str, dict[str, Any]]] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise AnomalousPayload(f"entry[{index}]: expected an object")
        entry_dict = entry if isinstance(entry, dict) else dict(entry)
        result.append((ident(entry_dict, "id", f"entry[{index}]"), entry_dict))
    return result


def wrap_entry(object_name: str, entry: Mapping[str, Any]) -> dict[str, Any]:
    """The single-entry payload the HTTP layer queues for one account."""
    return {"object": object_name, "entry": [dict(entry)]}


def canonical_bytes(payload: Mapping[str, Any]) -> bytes:
    """One byte form per JSON value, so the same delivery always hashes the same."""
    try:
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise AnomalousPayload(f"payload is not JSON-serialisable: {exc}") from exc
    # Valid JSON may escape a lone surrogate ("\ud83d"); plain UTF-8 would refuse it.
    return text.encode("utf-8", "surrogatepass")


def intake_digest(payload: Mapping[str, Any]) -> str:
    """sha256 hex of the envelope (``object`` + ``entry`` only) in canonical form.

    Meta gives a redelivery no id of its own, but resends the same entry unchanged, so the
    digest of a queued single-entry payload identifies it. Other top-level keys are ignored.
    """
    object_name = payload_object(payload)
    entries = [entry for _, entry in split_entries(payload)]
    envelope = {"object": object_name, "entry": entries}
    return hashlib.sha256(canonical_bytes(envelope)).hexdigest()
