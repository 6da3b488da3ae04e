from __future__ import annotations

import hmac
from typing import Any

import pytest

from bots.vk import verify_secret
from tests.support.payloads import load_payload

SECRET = "exampleCallbackSecret42"


def test_matching_secret_passes() -> None:
    assert verify_secret(load_payload("vk", "message_new"), SECRET)


@pytest.mark.parametrize("expected", ["exampleCallbackSecret43", "exampleCallbackSecret4", "x"])
def test_other_secret_fails(expected: str) -> None:
    assert not verify_secret(load_payload("vk", "message_new"), expected)


@pytest.mark.parametrize("expected", [None, ""])
def test_unset_expected_secret_accepts_nothing(expected: str | None) -> None:
    assert not verify_secret({"type": "message_new", "secret": ""}, expected)
    assert not verify_secret({"type": "message_new"}, expected)


@pytest.mark.parametrize("secret", [None, 42, ["exampleCallbackSecret42"], {"s": 1}, True])
def test_missing_or_non_string_secret_fails(secret: Any) -> None:
    payload = load_payload("vk", "message_deny")
    payload["secret"] = secret

    assert not verify_secret(payload, SECRET)


def test_payload_without_secret_fails() -> None:
    assert not verify_secret(load_payload("vk", "confirmation"), SECRET)


def test_non_ascii_secret_is_compared_not_rejected() -> None:
    assert verify_secret({"secret": "секрет-시크릿"}, "секрет-시크릿")
    assert not verify_secret({"secret": "секрет"}, "секрет-시크릿")


def test_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)

    assert verify_secret({"secret": SECRET}, SECRET)
    assert calls == [(SECRET.encode(), SECRET.encode())]
