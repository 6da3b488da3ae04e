"""The demo as an omnibox plug-in (the ``omnibox.plugins`` entry point ``demo``, see
:mod:`api.plugins`): the ``omnibox demo`` command, and the sender override that sends demo
accounts' replies to local fake platforms in a process that finds demo accounts.

The rest of the demo is imported inside the functions: loading this module to run one command
costs nothing else.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from api.plugins import SenderOverride
from inbox.settings import Settings


def run(argv: list[str], settings: Callable[[], Settings]) -> None:
    """``omnibox demo``: fill a fresh instance and say what is there."""
    argparse.ArgumentParser(
        prog="omnibox demo",
        description="Fill a fresh instance with demo conversations, through the real webhooks.",
    ).parse_args(argv)
    from demo.command import run as fill_and_report

    fill_and_report(settings())


def sender_override(settings: Settings) -> SenderOverride:
    from demo.routing import DemoOutbound

    return DemoOutbound(settings.graph_api_version)
