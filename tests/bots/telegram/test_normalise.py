"""Direct messages and edits: each fixture normalises to exactly these events."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import pytest

from bots.telegram.adapter import TelegramAdapter
from inbox.events import (
    Attachment,
    Author,
    EventKind,
    InboundEvent,
    SubscriptionSignal,
    Thread,
    ThreadKind,
)
from tests.bots.telegram.expected import BOT_ID, event, jan21
from tests.support.payloads import load_payload

ADAPTER = TelegramAdapter()
MINJUN = Author(id="5345678901", display_name="Мин-джун 김", language="ko")
MINJUN_DM = Thread(kind=ThreadKind.DIRECT, key="dm:5345678901", peer_id="5345678901")
# Written with escapes so the ZWJ family (man, woman, girl, boy), the flag's two regional
# indicators and the skin-tone modifier are unambiguous in the source.
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
FLAG_KR = "\U0001f1f0\U0001f1f7"
THUMBS_MEDIUM = "\U0001f44d\U0001f3fd"
MIXED_TEXT = (
    f"Здравствуйте! 안녕하세요 {FAMILY} заказ для семьи {FLAG_KR} 감사합니다 {THUMBS_MEDIUM}"
)


def file(kind: str, file_id: str, size: int, **fields: Any) -> tuple[Attachment, ...]:
    return (Attachment(type=kind, file_id=file_id, size=size, **fields),)


CASES = [
    pytest.param(
        load_payload("telegram", "message__dm_text"),
        event(
            external_id="5123456789:4410",
            platform_ts=jan21(9, 0),
            text="Hello! My order #A-1043 has not arrived yet, can you check?",
        ),
        id="dm_text",
    ),
    pytest.param(  # the command stays verbatim; its deep-link param is the opt-in's source
        load_payload("telegram", "message__dm_start"),
        event(
            external_id="5123456789:4401",
            platform_ts=jan21(8, 43, 20),
            text="/start spring_promo",
            subscription=SubscriptionSignal(True, "telegram_start", "spring_promo"),
        ),
        id="dm_start_command",
    ),
    pytest.param(
        load_payload("telegram", "message__dm_photo"),
        event(
            external_id="5123456789:4412",
            platform_ts=jan21(9, 1, 40),
            text="This is what arrived instead of my order",
            attachments=file(
                "photo",
                "AgACAgIAAxkBAAIRXGeQk1Photo0Large0000000000000AAQ",
                141903,
                extra={"preview_file_id": "AgACAgIAAxkBAAIRXGeQk1Photo0Medium000000000000AAQ"},
            ),
        ),
        id="dm_photo_largest_size_and_caption",
    ),
    pytest.param(
        load_payload("telegram", "message__dm_document"),
        event(
            external_id="5123456789:4413",
            platform_ts=jan21(9, 2, 40),
            text="Here is the invoice",
            attachments=file(
                "document",
                "BQACAgIAAxkBAAIRXWeQk2Document0000000000000AAQ",
                48213,
                mime_type="application/pdf",
                name="invoice_A-1043.pdf",
            ),
        ),
        id="dm_document",
    ),
    pytest.param(
        load_payload("telegram", "message__dm_sticker"),
        event(
            external_id="5123456789:4414",
            platform_ts=jan21(9, 3, 40),
            attachments=file(
                "sticker",
                "CAACAgIAAxkBAAIRXmeQk3Sticker00000000000000AAQ",
                23112,
                extra={"emoji": "\U0001f44d"},
            ),
        ),
        id="dm_sticker",
    ),
    pytest.param(
        load_payload("telegram", "message__dm_voice"),
        event(
            external_id="5123456789:4415",
            platform_ts=jan21(9, 4, 40),
            attachments=file(
                "voice",
                "AwACAgIAAxkBAAIRX2eQk4Voice0000000000000000AAQ",
                28654,
                mime_type="audio/ogg",
                extra={"duration": 7},
            ),
        ),
        id="dm_voice",
    ),
    pytest.param(
        load_payload("telegram", "message__dm_video"),
        event(
            external_id="5123456789:4416",
            platform_ts=jan21(9, 5, 40),
            text="The box arrived crushed",
            attachments=file(
                "video",
                "BAACAgIAAxkBAAIRYGeQk5Video0000000000000000AAQ",
                5242880,
                mime_type="video/mp4",
                name="damaged_package.mp4",
                extra={"duration": 12},
            ),
        ),
        id="dm_video",
    ),
    pytest.param(
        load_payload("telegram", "message__dm_audio"),
        event(
            external_id="5123456789:4417",
            platform_ts=jan21(9, 6, 40),
            attachments=file(
                "audio",
                "CQACAgIAAxkBAAIRYWeQk6Audio0000000000000000AAQ",
                2949120,
                mime_type="audio/mpeg",
                name="order_call.mp3",
                extra={"duration": 184},
            ),
        ),
        id="dm_audio",
    ),
    pytest.param(
        load_payload("telegram", "message__dm_animation"),
        event(
            external_id="5123456789:4418",
            platform_ts=jan21(9, 7, 40),
            # One attachment: the backward-compatible duplicate in ``document`` is dropped.
            attachments=file(
                "animation",
                "CgACAgIAAxkBAAIRYmeQk7Animation000000000000AAQ",
                120345,
                mime_type="video/mp4",
                name="thanks.gif.mp4",
                extra={"duration": 3},
            ),
        ),
        id="dm_animation_without_duplicate_document",
    ),
    pytest.param(
        load_payload("telegram", "message__dm_video_note"),
        event(
            external_id="5123456789:4419",
            platform_ts=jan21(9, 8, 40),
            attachments=file(
                "video_note",
                "DQACAgIAAxkBAAIRY2eQk8VideoNote00000000000AAQ",
                812345,
                extra={"duration": 9},
            ),
        ),
        id="dm_video_note",
    ),
    pytest.param(
        load_payload("telegram", "message__dm_location"),
        event(
            external_id="5123456789:4420",
            platform_ts=jan21(9, 9, 40),
            attachments=(
                Attachment(type="location", extra={"latitude": 55.751244, "longitude": 37.618423}),
            ),
        ),
        id="dm_location",
    ),
    pytest.param(
        load_payload("telegram", "message__dm_contact"),
        event(
            external_id="5123456789:4421",
            platform_ts=jan21(9, 10, 40),
            attachments=(
                Attachment(
                    type="contact",
                    extra={
                        "phone_number": "+79001234567",
                        "first_name": "Ivan",
                        "last_name": "Sidorov",
                        "user_id": "5987654321",
                    },
                ),
            ),
        ),
        id="dm_contact",
    ),
    pytest.param(
        load_payload("telegram", "message__dm_cyrillic_hangul_emoji"),
        event(
            external_id="5345678901:812",
            platform_ts=jan21(9, 11, 40),
            thread=MINJUN_DM,
            author=MINJUN,
            text=MIXED_TEXT,
        ),
        id="dm_cyrillic_hangul_emoji_untouched",
    ),
    pytest.param(
        load_payload("telegram", "message__dm_reply"),
        event(
            external_id="5123456789:4423",
            platform_ts=jan21(9, 12, 40),
            text="Thank you! Which courier?",
            reply_to_external_id="5123456789:4422",
        ),
        id="dm_reply_to_bot_message",
    ),
    pytest.param(
        load_payload("telegram", "edited_message__dm"),
        event(
            kind=EventKind.EDIT,
            event_type="edited_message",
            external_id="5123456789:4410",  # the original message's identity
            platform_ts=jan21(9, 1, 35),  # edit_date, not date
            text="Hello! My order #A-1048 has not arrived yet, can you check?",
        ),
        id="edited_dm",
    ),
]


@pytest.mark.parametrize(("payload", "expected"), CASES)
def test_normalises_to_exactly(payload: dict[str, Any], expected: InboundEvent) -> None:
    events = ADAPTER.normalise(payload, BOT_ID)

    assert events == [expected]
    assert events[0].raw == payload
    assert events[0].platform_ts.utcoffset() == timedelta(0)
    assert events[0].platform_ts.tzinfo is UTC


def test_largest_photo_wins_whatever_the_order() -> None:
    payload = load_payload("telegram", "message__dm_photo")
    payload["message"]["photo"].reverse()

    [event_] = ADAPTER.normalise(payload, BOT_ID)

    assert event_.attachments[0].file_id == "AgACAgIAAxkBAAIRXGeQk1Photo0Large0000000000000AAQ"


def test_a_file_keeps_only_the_fields_its_type_has() -> None:
    """A voice has no name, a video note neither name nor MIME type: a payload bringing them
    along does not add them."""
    voice = load_payload("telegram", "message__dm_voice")
    voice["message"]["voice"]["file_name"] = "forged.exe"
    note = load_payload("telegram", "message__dm_video_note")
    note["message"]["video_note"].update(file_name="forged.exe", mime_type="text/html")

    [[voice_file]] = [e.attachments for e in ADAPTER.normalise(voice, BOT_ID)]
    [[note_file]] = [e.attachments for e in ADAPTER.normalise(note, BOT_ID)]

    assert (voice_file.name, voice_file.mime_type) == (None, "audio/ogg")
    assert (note_file.name, note_file.mime_type) == (None, None)


def test_display_name_falls_back_to_username_then_id() -> None:
    payload = load_payload("telegram", "message__dm_text")
    sender = payload["message"]["from"]
    sender.update(first_name=" ", last_name=None)
    assert ADAPTER.normalise(payload, BOT_ID)[0].author.display_name == "alina_p_example"
    del sender["username"]
    assert ADAPTER.normalise(payload, BOT_ID)[0].author == Author(
        id="5123456789", display_name="5123456789", language="ru"
    )
