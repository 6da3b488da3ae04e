"""The account forms come from the platforms (``bots/<name>/account_form.py``): the REST API
and ``omnibox account add`` both take them, and store the same account from the same fields."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from api.runtime import Runtime
from inbox.accounts.models import Account
from tests.support.cli import Cli
from tests.support.factories import ACCOUNT_BODIES, add_account, admin_headers
from tests.support.units import orm_session

pytestmark = pytest.mark.one_backend

EXTRAS: dict[str, dict[str, Any]] = {
    "telegram": {},
    "vk": {"user_token": "vk-user-token"},
    "facebook": {"allow_human_agent": True},
    "instagram": {"allow_human_agent": True},
}
COLUMNS = (
    "channel",
    "name",
    "external_id",
    "token",
    "webhook_secret",
    "secret",
    "confirmation_code",
    "options",
)
SELECT = (
    "SELECT channel, name, external_id, token, webhook_secret, secret, confirmation_code,"
    " options FROM accounts"
)


def _cli_args(body: dict[str, Any]) -> list[str]:
    args = ["account", "add", body["channel"]]
    for key, value in body.items():
        if key == "channel":
            continue
        flag = "--" + key.replace("_", "-")
        args += [flag] if value is True else [flag, str(value)]
    return args


@pytest.mark.parametrize("channel", sorted(ACCOUNT_BODIES))
async def test_the_cli_and_the_api_store_the_same_account(
    channel: str, cli: Cli, runtime: Runtime, client: httpx.AsyncClient
) -> None:
    body = {**ACCOUNT_BODIES[channel], **EXTRAS[channel]}
    made = cli(*_cli_args(body))
    assert made.returncode == 0, made.stderr
    [by_cli] = cli.query(SELECT)

    headers = await admin_headers(client, runtime)
    created = await add_account(client, headers, channel, **EXTRAS[channel])
    async with orm_session(runtime) as session:
        account = await session.get(Account, created["id"])
        assert account is not None
        by_api = tuple(getattr(account, c) for c in COLUMNS)

    assert by_cli[:-1] == by_api[:-1]
    assert json.loads(by_cli[-1]) == by_api[-1]
    assert (
        by_api[-1]
        == {  # the platform's own option keys
            "telegram": {},
            "vk": {"vk_user_token": "vk-user-token"},
            "facebook": {"allow_human_agent": True},
            "instagram": {"allow_human_agent": True},
        }[channel]
    )


def test_fields_only_the_api_takes_are_not_cli_options(cli: Cli) -> None:
    body = {**ACCOUNT_BODIES["telegram"], "register_webhook": True}
    refused = cli(*_cli_args(body))
    assert refused.returncode != 0
    assert "unrecognized arguments: --register-webhook" in refused.stderr
    assert cli.query("SELECT count(*) FROM accounts") == [(0,)]
