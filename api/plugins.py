"""Plug-ins: packages installed beside the service that add to it, which it never imports.

The demo is one (``omnibox demo``; its accounts' replies go to local fake platforms). A plug-in
is a module named in the ``omnibox.plugins`` entry point group. The entry point's name is both
its ``omnibox`` subcommand and the account option that marks the accounts it serves
(``options["demo"] = True``). It is loaded only to run its command, or by a process that sends
(``serve``, ``worker``), outside production, when the database has accounts it marks. The
production image leaves the plug-ins' files out, so there an entry point may name a module that
is not installed: :class:`NotInstalled` says how to get it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from importlib import import_module
from importlib.metadata import entry_points
from typing import Protocol, cast

from sqlalchemy import select

from inbox.accounts.models import Account
from inbox.db import make_engine, unit_of_work
from inbox.outbound import ChannelSender
from inbox.settings import Settings

GROUP = "omnibox.plugins"
log = logging.getLogger("omnibox")
_accounts = Account.__table__  # type: ignore[attr-defined]


class SenderOverride(Protocol):
    """Sends the marked accounts' messages somewhere other than the platforms."""

    async def start(self) -> None:
        """Called once by a process that runs the outbox sender, before it sends."""

    def route(self, senders: Mapping[str, ChannelSender]) -> dict[str, ChannelSender]:
        """The senders to use instead of ``senders`` (closing them closes ``senders``)."""

    async def close(self) -> None: ...


class Plugin(Protocol):
    """What a plug-in module provides."""

    def run(self, argv: list[str], settings: Callable[[], Settings]) -> None:
        """Its ``omnibox`` subcommand with the arguments after it (``settings`` loads the
        configuration, or exits with the error)."""

    def sender_override(self, settings: Settings) -> SenderOverride: ...


class NotInstalled(LookupError):
    """No installed distribution provides this plug-in's module (the production image)."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"`omnibox {name}` is not installed here: the production image leaves the {name} "
            "plug-in out. Install omnibox from a checkout of the repository "
            "(`pip install -e .`) to get it."
        )


def names() -> list[str]:
    """The plug-ins the installed metadata declares; reading them imports none."""
    return sorted({ep.name for ep in entry_points(group=GROUP)})


def load(name: str) -> Plugin:
    found = [ep for ep in entry_points(group=GROUP) if ep.name == name]
    if not found:
        raise NotInstalled(name)
    module = found[0].module
    try:
        return cast(Plugin, import_module(module))
    except ModuleNotFoundError as exc:
        if exc.name is None or not f"{module}.".startswith(f"{exc.name}."):
            raise  # the plug-in is there but something it needs is not: show that
        raise NotInstalled(name) from exc


async def sender_overrides(settings: Settings) -> list[SenderOverride]:
    """The overrides of the installed plug-ins that this database has marked accounts for.

    Empty in production: a production process never loads a plug-in, whatever the database
    holds. Called before the runtime is built, so it reads the accounts on an engine of its own.
    """
    if settings.environment == "production" or not (installed := names()):
        return []
    engine = make_engine(settings.database_url)
    try:
        async with unit_of_work(engine, writer=False) as conn:
            marks = (await conn.execute(select(_accounts.c.options))).scalars().all()
    finally:
        await engine.dispose()
    overrides: list[SenderOverride] = []
    for name in installed:
        if not any((options or {}).get(name) for options in marks):
            continue
        try:
            overrides.append(load(name).sender_override(settings))
        except NotInstalled:
            log.warning(
                "accounts marked %r found, but the %s plug-in is not installed: their messages "
                "go to the platforms like any other's",
                name,
                name,
            )
            continue
        log.info("accounts marked %r found: the %s plug-in sends their messages", name, name)
    return overrides
