"""A platform's account form is its own: ``inbox`` stores whatever form a platform declares."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.runtime import Runtime
from inbox import platforms
from inbox.accounts import service
from tests.platforms.parrot import NAME, TRAITS, ParrotAccountIn
from tests.support.units import orm_session

pytestmark = pytest.mark.one_backend


async def test_inbox_stores_and_shows_a_form_it_has_never_heard_of(runtime: Runtime) -> None:
    platforms.register(TRAITS)
    try:
        form = ParrotAccountIn(channel=NAME, name="The perch", token="seed", perch="perch-7")
        async with orm_session(runtime) as session:
            account = await service.create_account(session, form)
            public = service.to_public(account, "https://inbox.example")
        assert (account.channel, account.external_id, account.options) == (
            NAME,
            "perch-7",
            {"ring": "green"},
        )
        assert public.webhook_url == f"https://inbox.example/webhooks/parrot/{public.id}"

        async with orm_session(runtime) as session:
            with pytest.raises(service.AccountExists):
                await service.create_account(session, form)
    finally:
        platforms.unregister(NAME)


def test_its_checks_are_its_own() -> None:
    with pytest.raises(ValidationError, match="perch"):
        ParrotAccountIn(channel=NAME, name="The perch", token="seed", perch="branch-7")
    assert ParrotAccountIn.platform() == NAME
