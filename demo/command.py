"""``omnibox demo``: migrate, fill, and tell the newcomer what is there and what to do next."""

from __future__ import annotations

import asyncio
import logging
import sys
import warnings

from sqlalchemy.engine import make_url

from demo import scenario
from demo.fill import Summary, fill
from demo.setup import NotFresh
from demo.team_work import DemoFailed
from inbox.migrate import upgrade
from inbox.settings import Settings

CHANNELS = ("telegram", "vk", "facebook", "instagram")


def run(settings: Settings) -> None:
    where = make_url(settings.database_url).render_as_string(hide_password=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per demo request is noise
    # The development placeholder OMNIBOX_SECRET_KEY is short; a demo need not hear about it.
    warnings.filterwarnings("ignore", message="The HMAC key is", module="jwt")
    upgrade(settings.database_url)
    _say(f"omnibox demo: the Acme Coffee demo, on {where} ...")
    try:
        summary = asyncio.run(fill(settings))
    except NotFresh as exc:
        sys.exit(f"omnibox: {exc}")
    except DemoFailed as exc:
        sys.exit(f"omnibox: the demo could not finish ({exc}); run `omnibox demo` again to resume")
    _say(report(summary))


def report(summary: Summary) -> str:
    lines: list[str] = []
    if summary.already:
        lines.append("This is already a demo instance: nothing was added (nothing is doubled).")
    else:
        convs = summary.conversations
        lines.append(
            f"  conversations: {_per_channel(convs)} ({sum(convs.values())} in all), "
            "some assigned, labelled or resolved"
        )
        lines.append(
            "  replies delivered to the local fake platforms (rule greetings and out-of-hours "
            f"answers, the team's answers): {_per_channel(summary.delivered)}"
        )
        if summary.hidden:
            lines.append(f"  comments hidden by the example rules: {summary.hidden}")
        lines.extend(f"  note: {n}" for n in summary.notes)
        if summary.one_off_app_secret:
            lines.append(
                "  OMNIBOX_FACEBOOK_APP_SECRET is unset: the demo signed its Meta webhooks with a "
                "one-off secret (set the real one before connecting a real Page)"
            )
    lines += ["", "Next: omnibox serve   then open http://127.0.0.1:8000/ and sign in as"]
    width = max(len(u.email) for u in scenario.USERS)
    for u in scenario.USERS:
        shown = scenario.PASSWORD
        if summary.already:
            shown += " (unless changed since)"
        elif u.email not in summary.new_users:
            shown = "(unchanged: this user existed before)"
        lines.append(f"  {u.email.ljust(width)}  {u.role:<5}  password: {shown}")
    lines += [
        "The passwords are fixed demo passwords: use a fresh database for real work.",
        "The demo accounts talk only to local fake platforms: `omnibox serve` starts them and "
        "delivers these accounts' replies there, so an answer you send shows as sent.",
    ]
    return "\n".join(lines)


def _per_channel(counts: dict[str, int]) -> str:
    return ", ".join(f"{c} {counts.get(c, 0)}" for c in CHANNELS)


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
