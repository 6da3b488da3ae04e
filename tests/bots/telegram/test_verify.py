"""The secret-token header check: constant-time, and no configured secret accepts nothing."""

from __future__ import annotations

import pytest

from bots.telegram.verify import HEADER_NAME, verify_secret_token

SECRET = "s3cr3t_Token-for-bot_7000000001"


def test_header_name_is_the_one_telegram_sends() -> None:
    assert HEADER_NAME == "X-Telegram-Bot-Api-Secret-Token"


def test_matching_secret_is_accepted() -> None:
    assert verify_secret_token(SECRET, SECRET) is True


@pytest.mark.parametrize(
    "header",
    [None, "", "wrong", SECRET[:-1], SECRET + "x", SECRET.upper(), f" {SECRET}", "секрет"],
)
def test_anything_else_is_refused(header: str | None) -> None:
    assert verify_secret_token(header, SECRET) is False


@pytest.mark.parametrize("expected", [None, ""])
@pytest.mark.parametrize("header", [None, "", "anything"])
def test_without_a_configured_secret_nothing_is_accepted(
    header: str | None, expected: str | None
) -> None:
    assert verify_secret_token(header, expected) is False
