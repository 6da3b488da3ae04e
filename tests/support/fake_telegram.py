"""Kept for existing imports: the fake Bot API now lives in :mod:`tests.support.fakes`."""

from tests.support.fakes.telegram import BotApiCall, FakeTelegram

__all__ = ["BotApiCall", "FakeTelegram"]
