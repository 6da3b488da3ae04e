"""``omnibox campaign send ID`` / ``omnibox campaign status ID``, straight on the database.

``send`` starts the campaign (freezing its audience) and draws its progress until it is over;
the sending itself is done by the running service (``omnibox serve`` or ``omnibox worker``),
so Ctrl-C only stops watching and the campaign goes on.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.db import make_engine, unit_of_work
from inbox.newsletters import campaign_queries as queries
from inbox.newsletters import campaigns as service
from inbox.newsletters.rows import CampaignDetail
from inbox.settings import Settings

BAR = 30
POLL_SECONDS = 1.0
FINISHED = ("done", "cancelled")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    campaign = sub.add_parser("campaign", help="start a newsletter campaign or follow it")
    actions = campaign.add_subparsers(dest="action", required=True)
    send = actions.add_parser("send", help="start it now and show its progress until done")
    send.add_argument("id", type=int)
    send.add_argument("--no-wait", action="store_true", help="start it and return at once")
    status = actions.add_parser("status", help="one line: its status and progress")
    status.add_argument("id", type=int)


def line(found: CampaignDetail) -> str:
    """``campaign 7 sending [#########.....] 312/1000 sent, 3 failed, 2 unsubscribed``."""
    p = found.progress
    total = p.audience
    over = p.sent + p.failed + p.unsubscribed + p.cancelled
    filled = BAR if total == 0 else BAR * over // total
    return (
        f"campaign {found.id} {found.status} [{'#' * filled}{'.' * (BAR - filled)}] "
        f"{p.sent}/{total} sent, {p.failed} failed, {p.unsubscribed} unsubscribed, "
        f"{p.cancelled} cancelled, {p.pending + p.queued} to go"
    )


def run(args: argparse.Namespace, settings: Settings) -> None:
    try:
        asyncio.run(_run(args, settings))
    except KeyboardInterrupt:
        sys.stdout.write("\nstopped watching; the campaign goes on\n")


async def _run(args: argparse.Namespace, settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    try:
        if args.action == "send":
            await _start(engine, args.id)
        found = await _describe(engine, args.id)
        if args.action == "status" or getattr(args, "no_wait", False):
            sys.stdout.write(line(found) + "\n")
            return
        while True:
            sys.stdout.write("\r" + line(found))
            sys.stdout.flush()
            if found.status in FINISHED:
                sys.stdout.write("\n")
                return
            await asyncio.sleep(POLL_SECONDS)
            found = await _describe(engine, args.id)
    finally:
        await engine.dispose()


async def _start(engine: AsyncEngine, campaign_id: int) -> None:
    # The audience keeps to the platform's messaging window, which its traits declare
    # (registered by ``api.cli.main`` for every command).

    try:
        async with unit_of_work(engine) as conn:
            size = await service.start(conn, campaign_id)
    except (service.CampaignNotFound, service.IllegalTransition, service.InvalidCampaign) as exc:
        sys.exit(f"omnibox: {exc}")
    sys.stdout.write(f"campaign {campaign_id} started for {size} recipient(s)\n")


async def _describe(engine: AsyncEngine, campaign_id: int) -> CampaignDetail:
    async with unit_of_work(engine, writer=False) as conn:
        found = await queries.describe(conn, campaign_id)
    if found is None:
        sys.exit(f"omnibox: there is no campaign {campaign_id}")
    return found
