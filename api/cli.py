"""The ``omnibox`` command line (its commands are public: extend, never rename)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import uvicorn
from pydantic import ValidationError

from api import cli_accounts, cli_campaigns, cli_rules, plugins
from bots.traits import register_all as register_platforms
from inbox.db import make_engine, session_on, unit_of_work
from inbox.migrate import upgrade
from inbox.settings import ConfigError, Settings, get_settings
from inbox.users.models import Role
from inbox.users.service import UserExists, create_user

if TYPE_CHECKING:
    from fastapi import FastAPI

# Commands that plug-ins provide (api/plugins.py), listed even where the plug-in is not
# installed (the production image), so that running one says how to get it.
PLUGIN_COMMANDS = {
    "demo": "fill a fresh instance with demo conversations (through the real webhooks)",
}


def _settings() -> Settings:
    try:
        return get_settings()
    except (ConfigError, ValidationError) as exc:
        sys.exit(f"omnibox: configuration error: {exc}")


def _freeze_startup_objects() -> None:
    """Keep the cycle collector off the ~280,000 objects the platform libraries create at import.

    Left in the collected generations, every full collection walks them all: pauses of 150-200
    ms that set the webhooks' p99 and halved their throughput (bench/ingest: 3.8k → 6.8k req/s
    on SQLite, p99 172 → 13 ms). They live as long as the process anyway.
    """
    gc.collect()
    gc.freeze()


def _serve(args: argparse.Namespace, *, worker: bool) -> None:
    settings = _settings()
    if worker:  # `serve` is the one-command start: bring the database up to date first
        upgrade(settings.database_url)
    app = _build_app(settings, worker=worker)
    _freeze_startup_objects()
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        access_log=settings.access_log,
        log_level=args.log_level,
        proxy_headers=True,
    )
    _Server(config, on_exit=app.state.runtime.shutting_down).run()


def _build_app(settings: Settings, *, worker: bool) -> FastAPI:
    """The app; one that sends (``worker``) with the sender overrides of the plug-ins whose
    accounts the database holds (the demo's), and the platform senders as they are otherwise."""
    from api.app import create_app  # the platform libraries load here, not for admin commands
    from api.runtime import Runtime

    overrides = asyncio.run(plugins.sender_overrides(settings)) if worker else []
    runtime = Runtime(settings, sender_overrides=overrides)
    app = create_app(settings, run_worker=worker, runtime=runtime)
    if worker:
        import bots.registry

        bots.registry.import_senders()
    return app


class _Server(uvicorn.Server):
    """On a stop signal, first end the live event streams: uvicorn's graceful shutdown waits
    for open responses, and a Server-Sent Events stream never ends by itself."""

    def __init__(self, config: uvicorn.Config, *, on_exit: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_exit = on_exit

    def handle_exit(self, sig: int, frame: Any) -> None:
        super().handle_exit(sig, frame)
        self._on_exit()


def _run_on_fast_loop(main: Coroutine[Any, Any, None]) -> None:
    """The worker on uvloop when it is installed (uvicorn[standard] brings it, and uvicorn runs
    the API on it): the worker is round trips to the database and the queue, and uvloop's
    transports cost a fraction of asyncio's per write."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    uvloop.run(main)


async def _run_worker() -> None:
    from api.runtime import Runtime

    settings = _settings()
    rt = Runtime(settings, sender_overrides=await plugins.sender_overrides(settings))
    import bots.registry

    bots.registry.import_senders()
    for override in rt.sender_overrides:
        await override.start()
    _freeze_startup_objects()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await asyncio.gather(
            rt.make_worker().run(stop),
            rt.make_sender().run(stop),
            rt.make_maintenance().run(stop),
            rt.make_dispatcher().run(stop),
        )
    finally:
        await rt.stop()


async def _user_add(args: argparse.Namespace) -> None:
    engine = make_engine(_settings().database_url)
    try:
        # Not a writer unit: the password is hashed while it is open.
        async with unit_of_work(engine, writer=False) as conn, session_on(conn) as session:
            user = await create_user(
                session,
                email=args.email,
                password=args.password,
                role=Role(args.role),
                name=args.name or "",
            )
        print(f"user {user.id} {user.email} ({user.role}) created")
    except (UserExists, ValueError) as exc:
        sys.exit(f"omnibox: {exc}")
    finally:
        await engine.dispose()


def _run_plugin(name: str, argv: list[str]) -> None:
    try:
        plugin = plugins.load(name)
    except plugins.NotInstalled as exc:
        sys.exit(f"omnibox: {exc}")
    plugin.run(argv, _settings)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="omnibox", description="Unified inbox service")
    sub = p.add_subparsers(dest="command", required=True)
    for name, text in (
        ("serve", "API + worker in one process (runs migrations first)"),
        ("api", "the HTTP API only"),
    ):
        sp = sub.add_parser(name, help=text)
        sp.add_argument("--host", default="127.0.0.1")
        sp.add_argument("--port", type=int, default=8000)
        sp.add_argument("--log-level", default="info")
    sub.add_parser("worker", help="the queue worker, the outbox sender and the maintenance jobs")
    sub.add_parser("migrate", help="create or upgrade the database")

    user = sub.add_parser("user", help="manage users").add_subparsers(dest="action", required=True)
    ua = user.add_parser("add", help="add a user")
    ua.add_argument("--email", required=True)
    ua.add_argument("--password", required=True)
    ua.add_argument("--role", choices=[r.value for r in Role], default=Role.AGENT.value)
    ua.add_argument("--name")

    cli_accounts.add_parser(sub)
    cli_rules.add_parser(sub)
    cli_campaigns.add_parser(sub)
    for name in sorted({*PLUGIN_COMMANDS, *plugins.names()} - set(sub.choices)):
        help_text = PLUGIN_COMMANDS.get(name, f"from the {name} plug-in")
        sub.add_parser(name, help=help_text, add_help=False)  # the plug-in parses its arguments
    return p


def main(argv: list[str] | None = None) -> None:
    parser = _parser()
    args, rest = parser.parse_known_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    register_platforms()  # admin commands read the platforms' traits too (webhook URLs, windows)
    commands: dict[str, Callable[[], Any]] = {
        "serve": lambda: _serve(args, worker=True),
        "api": lambda: _serve(args, worker=False),
        "worker": lambda: _run_on_fast_loop(_run_worker()),
        "migrate": lambda: upgrade(_settings().database_url),
        "user": lambda: asyncio.run(_user_add(args)),
        "account": lambda: cli_accounts.run(args, _settings()),
        "rules": lambda: cli_rules.run(args, _settings()),
        "campaign": lambda: cli_campaigns.run(args, _settings()),
    }
    if args.command not in commands:
        _run_plugin(args.command, rest)
        return
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    commands[args.command]()
