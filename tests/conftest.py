"""Test wiring: every backend test runs on SQLite + embedded queue, and on PostgreSQL + Redis
Streams when ``OMNIBOX_TEST_DATABASE_URL`` / ``OMNIBOX_TEST_REDIS_URL`` are set."""

from __future__ import annotations

import os

os.environ.setdefault("OMNIBOX_ENVIRONMENT", "test")
os.environ.pop("OMNIBOX_REDIS_URL", None)
os.environ.pop("OMNIBOX_DATABASE_URL", None)

from tests.support.fixtures import *  # noqa: F403
