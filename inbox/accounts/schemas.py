"""What it takes to connect an account: the base form every platform's form extends.

Each platform declares its own form in ``bots/<name>/account_form.py`` (its ``channel`` a
literal of its name, its fields and their checks), and says how the form becomes a stored
account (:meth:`AccountForm.stored`). The REST API and the CLI take the union of the
registered forms (``bots/account_forms.py``); ``inbox`` only ever sees this base.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, ClassVar, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from inbox.settings import Settings

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=1024)]


@dataclass(frozen=True, slots=True)
class StoredAccount:
    """The columns a form fills: the platform's id for the account and its credentials."""

    external_id: str
    token: str
    webhook_secret: str = ""
    secret: str = ""
    confirmation_code: str = ""
    options: dict[str, Any] = field(default_factory=dict)


class AccountForm(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Fields only the REST API takes (``omnibox account add`` offers the others as options).
    api_only: ClassVar[frozenset[str]] = frozenset()
    # What ``omnibox account add --help`` says of each of the form's own fields.
    cli_help: ClassVar[dict[str, str]] = {}

    channel: str
    name: Name
    token: Secret

    @classmethod
    def platform(cls) -> str:
        """The channel this form connects: its ``channel`` literal."""
        (name,) = get_args(cls.model_fields["channel"].annotation)
        return str(name)

    def stored(self) -> StoredAccount:
        """The account as stored (the platform's own id read from the form)."""
        raise NotImplementedError

    async def connect(self, webhook_url: str, settings: Settings) -> bool | None:
        """After the account is added in the API: tell the platform where to send its events,
        for platforms that are told by a call (True: done; None: not this platform's way).
        Raising rolls the account back."""
        return None


class AccountOut(BaseModel):
    """An account as the API shows it: never a token or secret."""

    id: int
    channel: str
    name: str
    external_id: str
    webhook_url: str
    is_active: bool
    created_at: datetime
    webhook_registered: bool | None = None
    can_moderate: bool | None = Field(
        default=None, description="VK: whether a user token for deleting comments is stored"
    )
    allow_human_agent: bool | None = None
