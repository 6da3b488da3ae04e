"""The test suite's own wiring: what CI relies on to never pass by skipping."""

from __future__ import annotations

import pytest

from tests.support import backends


def test_the_service_check_runs_for_every_test(request: pytest.FixtureRequest) -> None:
    # It used to be named with a leading underscore, which `from … import *` skips: the
    # autouse check never ran, and a PostgreSQL that did not answer showed up test by test.
    assert "configured_services_answer" in request.fixturenames


def test_each_parallel_worker_has_its_own_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backends, "_CONFIGURED_PG", "postgresql+asyncpg://pg@127.0.0.1/omnibox_x")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    assert backends.pg_url() == "postgresql+asyncpg://pg@127.0.0.1/omnibox_x_gw3"
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    assert backends.pg_url() == "postgresql+asyncpg://pg@127.0.0.1/omnibox_x"
