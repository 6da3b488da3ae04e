"""The outbox row's request is one typed value: written by ``to_json``, read back once."""

from __future__ import annotations

from inbox.events import ThreadKind
from inbox.outbound import Button
from inbox.outbox.models import OutboxRequest

EVERYTHING = OutboxRequest(
    thread_kind=ThreadKind.COMMENT,
    peer_id="-229876543_318",
    text="Thank you!",
    post_id="-229876543_318",
    target_external_id="wall_comment-229876543_77",
    recipient_id="512345678",
    private=True,
    contact_id=12,
    buttons=(Button("Yes", "YES"), Button("No", "NO")),
    url="https://hooks.example.com/in",
    secret="s3cret",
    body='{"event": "x"}',
    campaign_id=3,
    campaign_recipient_id=44,
)


def test_every_field_survives_the_round_trip() -> None:
    assert OutboxRequest.from_json(EVERYTHING.to_json()) == EVERYTHING


def test_unset_fields_and_empty_buttons_are_left_out() -> None:
    assert OutboxRequest(peer_id="5", text="hi").to_json() == {
        "thread_kind": "direct",
        "peer_id": "5",
        "text": "hi",
        "private": False,
    }


def test_rows_written_by_earlier_versions_read_the_same() -> None:
    """A webhook row had no thread kind, a reply row ``None`` values and string ids."""
    hook = OutboxRequest.from_json({"url": "https://x.example", "secret": None, "body": "{}"})
    assert (hook.thread_kind, hook.peer_id, hook.secret, hook.defect) == (
        ThreadKind.DIRECT,
        "",
        None,
        None,
    )
    reply = OutboxRequest.from_json(
        {"thread_kind": "comment", "peer_id": 5, "post_id": None, "contact_id": "12"}
    )
    assert (reply.thread_kind, reply.peer_id, reply.contact_id) == (ThreadKind.COMMENT, "5", 12)
    assert OutboxRequest.from_json(None) == OutboxRequest()


def test_what_cannot_be_sent_is_a_defect_of_that_row_not_an_error() -> None:
    broken = OutboxRequest.from_json(
        {"buttons": [{"text": "5", "payload": "x" * 65}], "thread_kind": "shout"}
    )
    assert broken.buttons == ()
    assert broken.defect is not None
    assert "the stored buttons cannot be sent" in broken.defect
    assert "'shout'" in broken.defect
    assert OutboxRequest.from_json({"contact_id": "twelve"}).defect == (
        "the stored contact_id 'twelve' is not a number"
    )
