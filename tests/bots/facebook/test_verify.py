"""The door: ``X-Hub-Signature-256`` and the ``hub.challenge`` handshake fail closed."""

from __future__ import annotations

import pytest

from bots.facebook.verify import verify_handshake, verify_signature
from tests.support.payloads import load_payload, payload_path, sign_facebook

SECRET = "app-secret-0123456789abcdef"
BODY = payload_path("facebook", "messages__cyrillic_hangul_emoji").read_bytes()


def test_fixture_body_is_the_signed_one() -> None:
    assert load_payload("facebook", "messages__cyrillic_hangul_emoji")["object"] == "page"


def test_valid_signature_over_raw_bytes_passes() -> None:
    assert verify_signature(BODY, sign_facebook(BODY, SECRET), SECRET)


def test_uppercase_hex_and_surrounding_space_pass() -> None:
    header = sign_facebook(BODY, SECRET)
    assert verify_signature(BODY, f" sha256={header[7:].upper()} ", SECRET)


@pytest.mark.parametrize(
    ("body", "header"),
    [
        pytest.param(BODY, sign_facebook(BODY, "another-secret"), id="forged-other-secret"),
        pytest.param(BODY + b" ", sign_facebook(BODY, SECRET), id="tampered-body"),
        pytest.param(BODY, None, id="missing-header"),
        pytest.param(BODY, "", id="empty-header"),
        pytest.param(BODY, "sha1=" + sign_facebook(BODY, SECRET)[7:], id="wrong-prefix"),
        pytest.param(BODY, sign_facebook(BODY, SECRET)[7:], id="no-prefix"),
        pytest.param(BODY, "sha256=", id="empty-digest"),
        pytest.param(BODY, sign_facebook(BODY, SECRET)[:-2], id="short-digest"),
        pytest.param(BODY, sign_facebook(BODY, SECRET) + "00", id="long-digest"),
        pytest.param(BODY, "sha256=" + "z" * 64, id="not-hex"),
        pytest.param(BODY, "sha256=" + "é" * 64, id="non-ascii"),
    ],
)
def test_bad_signature_is_refused(body: bytes, header: str | None) -> None:
    assert verify_signature(body, header, SECRET) is False


@pytest.mark.parametrize("secret", [None, ""])
def test_no_secret_accepts_nothing(secret: str | None) -> None:
    assert verify_signature(BODY, sign_facebook(BODY, ""), secret) is False


def test_re_serialised_json_does_not_match() -> None:
    reserialised = str(load_payload("facebook", "messages__cyrillic_hangul_emoji")).encode()
    assert verify_signature(reserialised, sign_facebook(BODY, SECRET), SECRET) is False


TOKEN = "verify-me-🔑"


def test_handshake_echoes_the_challenge() -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": TOKEN, "hub.challenge": "1158201444"}
    assert verify_handshake(params, TOKEN) == "1158201444"


@pytest.mark.parametrize(
    ("params", "token"),
    [
        pytest.param({"hub.mode": "unsubscribe", "hub.verify_token": TOKEN}, TOKEN, id="mode"),
        pytest.param({"hub.mode": "subscribe", "hub.verify_token": "nope"}, TOKEN, id="token"),
        pytest.param({"hub.mode": "subscribe", "hub.verify_token": "ключ"}, TOKEN, id="non-ascii"),
        pytest.param({"hub.mode": "subscribe"}, TOKEN, id="token-missing"),
        pytest.param({"hub.verify_token": TOKEN}, TOKEN, id="mode-missing"),
        pytest.param({"hub.mode": "subscribe", "hub.verify_token": ""}, "", id="empty-config"),
        pytest.param({"hub.mode": "subscribe", "hub.verify_token": TOKEN}, None, id="no-config"),
    ],
)
def test_handshake_refused(params: dict[str, str], token: str | None) -> None:
    assert verify_handshake({**params, "hub.challenge": "42"}, token) is None


@pytest.mark.parametrize("challenge", [None, ""])
def test_handshake_without_challenge_is_refused(challenge: str | None) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": TOKEN}
    if challenge is not None:
        params["hub.challenge"] = challenge
    assert verify_handshake(params, TOKEN) is None
