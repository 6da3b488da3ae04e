"""Maintenance tests reuse the outbound service: the app wired to fake platforms."""

from tests.outbound.conftest import Service, service

__all__ = ["Service", "service"]
