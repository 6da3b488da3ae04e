"""Connecting a Facebook Page or an Instagram professional account (one Meta app for both)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from bots.facebook.traits import WINDOW
from inbox.accounts.schemas import AccountForm, StoredAccount

MetaId = Annotated[str, StringConstraints(pattern=r"^\d{1,30}$")]


class _MetaIn(AccountForm):
    cli_help = {"allow_human_agent": "reply up to 7 days later with the HUMAN_AGENT tag"}

    allow_human_agent: bool = Field(
        default=False,
        description="reply up to 7 days after the customer's last message with Meta's "
        "HUMAN_AGENT tag (the app needs Meta's Human Agent permission); otherwise 24 hours",
    )

    def _stored(self, external_id: str) -> StoredAccount:
        assert WINDOW.tag_option is not None
        return StoredAccount(
            external_id, self.token, options={WINDOW.tag_option: self.allow_human_agent}
        )


class FacebookAccountIn(_MetaIn):
    cli_help = {**_MetaIn.cli_help, "page_id": "Page id"}

    channel: Literal["facebook"]
    page_id: MetaId

    def stored(self) -> StoredAccount:
        return self._stored(self.page_id)


class InstagramAccountIn(_MetaIn):
    cli_help = {**_MetaIn.cli_help, "ig_user_id": "professional account id"}

    channel: Literal["instagram"]
    ig_user_id: MetaId

    def stored(self) -> StoredAccount:
        return self._stored(self.ig_user_id)
