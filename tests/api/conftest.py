"""API tests: the CLI runner fixture, next to the shared ones."""

from __future__ import annotations

from tests.support.cli import cli  # noqa: F401 - the fixture, for the CLI tests
