"""Test wiring: every backend test runs on SQLite + embedded queue, and on PostgreSQL + Redis
Streams when ``OMNIBOX_TEST_DATABASE_URL`` / ``OMNIBOX_TEST_REDIS_URL`` are set (except the
``one_backend`` ones)."""

from __future__ import annotations

import os

import pytest
from argon2 import PasswordHasher

os.environ.setdefault("OMNIBOX_ENVIRONMENT", "test")
os.environ.pop("OMNIBOX_REDIS_URL", None)
os.environ.pop("OMNIBOX_DATABASE_URL", None)

import inbox.users.security
from tests.support.cli import cli, migrated_cli_db  # noqa: F401 - fixtures
from tests.support.fixtures import *  # noqa: F403

# Tests sign in hundreds of times: argon2id at its lowest cost here (about 0.1 ms instead of
# ~50 ms a hash). Hashes stay argon2id, and the service's own processes keep the full cost.
inbox.users.security._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``one_backend`` test what no storage backend changes (verification, page
    rendering, validation): they run on SQLite + the embedded queue only, even in CI. Tests
    marked ``slow`` run first."""
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        second = callspec is not None and callspec.params.get("backend") == "postgres-redis"
        (dropped if second and item.get_closest_marker("one_backend") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    # Long files first: the parallel workers then end together instead of one of them running
    # the type checker or a browser alone at the end (a stable sort keeps each file's order).
    kept.sort(key=lambda item: item.get_closest_marker("slow") is None)
    items[:] = kept
