"""What a rule does, as written: one-key mappings, names not yet resolved to ids.

    then:
      - reply: "Здравствуйте, {{ contact.first_name }}!"
      - assign_team: {team: Delivery, strategy: least_open}
      - add_label: [delivery]

Scalars stand for the common case (``reply: text``, ``assign_team: Delivery``,
``set_status: resolved``, ``webhook: https://…``) and are stored in the full form. Templates
are parsed here, so a syntax error is a validation error at save time.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from rules import templates
from rules._fields import (
    MAX_TEMPLATE,
    IdOrName,
    Label,
    OneOrMany,
    Priority,
    Status,
    repr_args_of_key,
)

_STRICT = ConfigDict(extra="forbid", frozen=True)
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def _wrap(key: str) -> Any:
    """Accept a scalar for the one required field of a small model."""
    return BeforeValidator(lambda v: {key: v} if isinstance(v, str | int) else v)


class ReplySpec(BaseModel):
    model_config = _STRICT
    text: str = Field(min_length=1, max_length=MAX_TEMPLATE)
    private: bool = False  # for a comment: answer in a private message instead of in public

    @field_validator("text")
    @classmethod
    def _template_parses(cls, text: str) -> str:
        templates.parse(text)
        return text


class AssignTeamSpec(BaseModel):
    model_config = _STRICT
    team: IdOrName
    strategy: Literal["round_robin", "least_open"] = "round_robin"


class SetStatusSpec(BaseModel):
    model_config = _STRICT
    status: Status
    snooze_minutes: int | None = Field(default=None, gt=0, le=366 * 24 * 60)

    @model_validator(mode="after")
    def _snooze_needs_minutes(self) -> SetStatusSpec:
        if (self.status == "snoozed") != (self.snooze_minutes is not None):
            raise ValueError("snooze_minutes is required with status snoozed, and only then")
        return self


class WebhookSpec(BaseModel):
    model_config = _STRICT
    url: str = Field(max_length=2000)
    secret: str | None = Field(default=None, min_length=1, max_length=200)

    @field_validator("url")
    @classmethod
    def _https(cls, url: str) -> str:
        parts = urlsplit(url.strip())
        loopback = parts.scheme == "http" and parts.hostname in _LOOPBACK
        if not parts.hostname or (parts.scheme != "https" and not loopback):
            raise ValueError("a webhook url is https:// (http:// only for localhost)")
        return url.strip()


class ActionSpec(BaseModel):
    """One action; exactly one field is set (see ``key``)."""

    model_config = _STRICT

    reply: Annotated[ReplySpec, _wrap("text")] | None = None
    assign_agent: IdOrName | None = None  # a user id or email
    assign_team: Annotated[AssignTeamSpec, _wrap("team")] | None = None
    add_label: OneOrMany[Label] | None = None
    remove_label: OneOrMany[Label] | None = None
    set_priority: Priority | None = None
    set_status: Annotated[SetStatusSpec, _wrap("status")] | None = None
    hide_comment: Literal[True] | None = None
    webhook: Annotated[WebhookSpec, _wrap("url")] | None = None
    subscribe: bool | None = None

    _key: str = PrivateAttr(default="")

    @property
    def key(self) -> str:
        return self._key

    @property
    def value(self) -> Any:
        return getattr(self, self._key)

    def __repr_args__(self) -> Any:
        return repr_args_of_key(self)

    @model_validator(mode="after")
    def _exactly_one(self) -> ActionSpec:
        given = [name for name in type(self).model_fields if getattr(self, name) is not None]
        if len(given) != 1:
            names = ", ".join(type(self).model_fields)
            raise ValueError(f"an action has exactly one key of: {names}")
        self._key = given[0]
        return self
