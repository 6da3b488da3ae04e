"""The demo and the fake platforms are plug-ins: the service never imports them, a database
without demo accounts gets the platform senders as they are, production never loads a plug-in,
and ``omnibox demo`` says how to get it where it is not installed."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

import demo.plugin
from api import cli, plugins
from api.app import create_app
from api.plugins import sender_overrides
from api.runtime import Runtime
from bots.facebook.sender import FacebookSender, InstagramSender
from bots.telegram.sender import TelegramSender
from bots.vk.sender import VkSender
from demo.routing import MARK, DemoOutbound
from inbox.accounts.models import Account
from inbox.users.models import Role
from tests.support.factories import add_account, add_user, login
from tests.support.fixtures import RuntimeFactory

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ["api", "bots", "inbox", "rules"]
PLUGINS = ["demo", "fakes"]
PLATFORM_SENDERS = {
    "telegram": TelegramSender,
    "vk": VkSender,
    "facebook": FacebookSender,
    "instagram": InstagramSender,
}
_accounts = Account.__table__  # type: ignore[attr-defined]


def test_an_import_contract_keeps_the_service_off_the_plugins() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    guards = [
        c
        for c in contracts
        if c["type"] == "forbidden"
        and set(PRODUCTION) <= set(c["source_modules"])
        and set(PLUGINS) <= set(c["forbidden_modules"])
        and not c.get("allow_indirect_imports", False)
    ]
    assert guards, "pyproject.toml must forbid api, bots, inbox, rules to import demo and fakes"


def test_the_service_composed_for_a_real_database_imports_neither(tmp_path: Path) -> None:
    """What ``omnibox serve`` builds, in a fresh interpreter: no module of the demo or the
    fakes is loaded, and the runtime sends with the platform senders themselves."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'real.db'}"
    code = f"""
import sys
from inbox.migrate import upgrade
from inbox.settings import Settings
from api import cli
upgrade({url!r})
settings = Settings(_env_file=None, environment="development", database_url={url!r})
cli._parser()
rt = cli._build_app(settings, worker=True).state.runtime
rt.make_sender()
print(sorted(type(s).__name__ for s in rt.senders.values()))
print(sorted(m for m in sys.modules if m.split(".")[0] in {PLUGINS!r}))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    senders, loaded = done.stdout.strip().splitlines()[-2:]
    assert senders == str(sorted(cls.__name__ for cls in PLATFORM_SENDERS.values()))
    assert loaded == "[]"


async def test_a_database_without_demo_accounts_gets_the_platform_senders_unwrapped(
    runtime_with: RuntimeFactory,
) -> None:
    async with runtime_with() as (rt, client):
        await add_user(rt, "admin@example.com", Role.ADMIN)
        await add_account(client, await login(client, "admin@example.com"), "telegram")
        overrides = await sender_overrides(rt.settings)
        assert overrides == []
        served = Runtime(rt.settings, queue_prefix=rt.queue_prefix, sender_overrides=overrides)
        try:
            create_app(served.settings, runtime=served, run_worker=True)
            served.make_sender()
            assert {c: type(s) for c, s in served.senders.items()} == PLATFORM_SENDERS
        finally:
            await served.stop()


async def test_production_never_loads_a_plugin_even_for_demo_accounts(
    runtime_with: RuntimeFactory,
) -> None:
    async with runtime_with() as (rt, client):
        await add_user(rt, "admin@example.com", Role.ADMIN)
        account = await add_account(client, await login(client, "admin@example.com"), "telegram")
        async with rt.engine.begin() as conn:
            await conn.execute(
                update(_accounts).where(_accounts.c.id == account["id"]).values(options={MARK: 1})
            )
        [override] = await sender_overrides(rt.settings)
        assert isinstance(override, DemoOutbound)
        production = rt.settings.model_copy(update={"environment": "production"})
        assert await sender_overrides(production) == []


def test_the_demo_plugin_is_found_by_the_name_that_marks_its_accounts() -> None:
    assert MARK in plugins.names()
    assert plugins.load(MARK) is demo.plugin


@pytest.mark.parametrize(
    "declared",
    [[], [EntryPoint("demo", "omnibox_demo_left_out.plugin", plugins.GROUP)]],
    ids=["not-declared", "declared-but-left-out"],
)
def test_omnibox_demo_says_how_to_get_it_where_it_is_not_installed(
    declared: list[EntryPoint], monkeypatch: pytest.MonkeyPatch
) -> None:
    def found(**_: Any) -> list[EntryPoint]:
        return declared

    monkeypatch.setattr(plugins, "entry_points", found)
    with pytest.raises(SystemExit) as stopped:
        cli.main(["demo"])
    message = str(stopped.value.code)
    assert "`omnibox demo` is not installed here" in message
    assert "pip install -e ." in message


def test_a_plugin_missing_something_it_needs_is_not_taken_for_absent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entry = EntryPoint("demo", "demo.plugin", plugins.GROUP)
    monkeypatch.setattr(plugins, "entry_points", lambda **_: [entry])
    monkeypatch.setattr(plugins, "import_module", _missing("aiohttp"))
    with pytest.raises(ModuleNotFoundError, match="aiohttp"):
        plugins.load("demo")


def _missing(name: str) -> Any:
    def import_module(_module: str) -> Any:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    return import_module
