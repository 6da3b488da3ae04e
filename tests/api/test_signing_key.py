"""No install signs tokens with a key anybody knows: the published placeholder is refused in
every environment, and an install without ``SECRET_KEY`` makes its own key and keeps it."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import jwt
import pytest
from pydantic import ValidationError

from api.runtime import Runtime
from inbox.settings import PLACEHOLDER_SECRET, Settings
from inbox.types import utcnow
from inbox.users.models import Role
from tests.support.backends import Backend
from tests.support.factories import add_user, login
from tests.support.fixtures import RuntimeFactory, make_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("environment", ["development", "test", "production"])
def test_the_placeholder_is_refused_everywhere(environment: str) -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(_env_file=None, environment=environment, secret_key=PLACEHOLDER_SECRET)  # type: ignore[call-arg]


def test_production_refuses_a_short_key() -> None:
    with pytest.raises(ValidationError, match="shorter than 32"):
        Settings(_env_file=None, environment="production", secret_key="short-key")  # type: ignore[call-arg]
    long_key = "k" * 32
    settings = Settings(_env_file=None, environment="production", secret_key=long_key)  # type: ignore[call-arg]
    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == long_key


def test_an_empty_variable_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNIBOX_SECRET_KEY", "  ")
    assert Settings(_env_file=None).secret_key is None  # type: ignore[call-arg]


def test_the_image_runs_as_production() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"OMNIBOX_ENVIRONMENT=production\b", dockerfile)
    assert "OMNIBOX_SECRET_KEY=" not in dockerfile  # no key in the image: each install has its own


def _forged(user_id: int, key: str) -> dict[str, str]:
    claims = {"sub": str(user_id), "exp": utcnow().timestamp() + 600}
    return {"Authorization": f"Bearer {jwt.encode(claims, key, algorithm='HS256')}"}


async def test_without_a_key_the_install_makes_one_and_keeps_it(
    backend: Backend, runtime_with: RuntimeFactory
) -> None:
    async with runtime_with(secret_key=None) as (rt, client):
        admin_id = await add_user(rt, "admin@example.com", Role.ADMIN)
        first_key = await rt.signing_key()
        assert len(first_key) >= 48
        for known in (PLACEHOLDER_SECRET, "secret", "test-secret-key-" + "x" * 32):
            r = await client.get("/api/v1/accounts", headers=_forged(admin_id, known))
            assert r.status_code == 401, known
        headers = await login(client, "admin@example.com")
        assert (await client.get("/api/v1/accounts", headers=headers)).status_code == 200

    async with runtime_with(secret_key=None) as (rt, client):  # a restart, same database
        assert await rt.signing_key() == first_key
        assert (await client.get("/api/v1/accounts", headers=headers)).status_code == 200


async def test_processes_starting_together_agree_on_one_key(backend: Backend) -> None:
    settings = make_settings(backend, secret_key=None)
    runtimes = [Runtime(settings, queue_prefix=backend.queue_prefix) for _ in range(4)]
    try:
        await asyncio.gather(*(rt.start(intake=False) for rt in runtimes))
        assert len({await rt.signing_key() for rt in runtimes}) == 1
    finally:
        for rt in runtimes:
            await rt.stop()


async def test_a_configured_key_is_used_as_it_is(runtime: Runtime) -> None:
    assert runtime.settings.secret_key is not None
    assert await runtime.signing_key() == runtime.settings.secret_key.get_secret_value()
