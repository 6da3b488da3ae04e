"""``omnibox account add``: connect a channel account from the command line.

Its options are the registered platforms' account forms (``bots/account_forms.py``), one
``--field-name`` per form field, so a new platform's form brings its options with it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from pydantic import ValidationError

from bots.account_forms import ACCOUNT_IN, ALL_FORMS
from inbox.accounts import service as accounts
from inbox.db import make_engine, session_on, unit_of_work
from inbox.settings import Settings

_COMMON = ("channel", "name", "token")


def _options() -> dict[str, tuple[list[str], Any, str]]:
    """Each form field the CLI offers: the channels that take it, its type, its help."""
    found: dict[str, tuple[list[str], Any, str]] = {}
    for form in ALL_FORMS:
        channel = form.platform()
        for name, info in form.model_fields.items():
            if name in _COMMON or name in form.api_only:
                continue
            channels, _, _ = found.get(name, ([], None, ""))
            help_text = form.cli_help.get(name) or info.description or name
            found[name] = ([*channels, channel], info.annotation, help_text)
    return found


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    acc = sub.add_parser("account", help="manage channel accounts")
    aa = acc.add_subparsers(dest="action", required=True).add_parser("add", help="add an account")
    aa.add_argument("channel", choices=[form.platform() for form in ALL_FORMS])
    aa.add_argument("--name", required=True)
    aa.add_argument("--token", required=True)
    for name, (used_by, annotation, help_text) in _options().items():
        flag = "--" + name.replace("_", "-")
        described = f"{'/'.join(used_by)}: {help_text}"
        if annotation is bool:
            aa.add_argument(flag, dest=name, action="store_true", default=None, help=described)
        elif annotation is int:
            aa.add_argument(flag, dest=name, type=int, help=described)
        else:
            aa.add_argument(flag, dest=name, help=described)


def run(args: argparse.Namespace, settings: Settings) -> None:
    asyncio.run(_add(args, settings))


async def _add(args: argparse.Namespace, settings: Settings) -> None:
    offered = {*_COMMON, *_options()}
    fields = {k: v for k, v in vars(args).items() if k in offered and v is not None}
    try:
        data = ACCOUNT_IN.validate_python(fields)
    except ValidationError as exc:
        sys.exit(f"omnibox: invalid account: {exc}")
    engine = make_engine(settings.database_url)
    try:
        async with unit_of_work(engine, writer=False) as conn, session_on(conn) as session:
            account = await accounts.create_account(session, data)
        public = accounts.to_public(account, settings.public_url)
        sys.stdout.write(
            f"{public.channel} account {public.id} '{public.name}' created; "
            f"point the platform's webhook at {public.webhook_url}\n"
        )
    except accounts.AccountExists as exc:
        sys.exit(f"omnibox: {exc}")
    finally:
        await engine.dispose()
