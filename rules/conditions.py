"""The condition tree of a rule: ``all`` / ``any`` / ``not`` over one-key leaves.

Every node is a mapping with exactly one key, which reads well in YAML::

    all:
      - channel: [vk, telegram]
      - text_has_any: [доставка, delivery]
      - not: {business_hours: inside}

A leaf is one ``Leaf`` model with every condition as an optional field, exactly one of which
is set; that keeps unknown keys an error (``extra="forbid"``) and error paths short
(``if.all[1].text_matches``). Values that name things (teams, users, accounts) are checked
against the directory at compile time, not here.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    field_validator,
    model_validator,
)

from rules._fields import (
    MAX_PATTERN,
    Channel,
    IdOrName,
    Keyword,
    Kind,
    Label,
    LanguageCode,
    NonBlank,
    OneOrMany,
    Priority,
    SlaMetric,
    Status,
    TimeOfDay,
    Weekday,
    repr_args_of_key,
)

_STRICT = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class All(BaseModel):
    model_config = _STRICT
    all: list[Condition] = Field(min_length=1)


class Any_(BaseModel):
    model_config = _STRICT
    any: list[Condition] = Field(min_length=1)


class Not(BaseModel):
    model_config = _STRICT
    not_: Condition = Field(alias="not")


class Leaf(BaseModel):
    """One test of the facts; exactly one field is set (see ``key``)."""

    model_config = _STRICT

    channel: OneOrMany[Channel] | None = None
    account: OneOrMany[int] | None = None
    kind: OneOrMany[Kind] | None = None
    text_has_any: OneOrMany[Keyword] | None = None
    text_matches: str | None = None
    has_attachments: bool | None = None
    attachment_type: OneOrMany[NonBlank] | None = None
    language: OneOrMany[LanguageCode] | None = None
    contact_is_new: bool | None = None
    contact_labels_any: OneOrMany[Label] | None = None
    conversation_labels_any: OneOrMany[Label] | None = None
    subscribed: bool | None = None
    status: OneOrMany[Status] | None = None
    assignee: IdOrName | None = None  # "none", a user id or an email
    team: IdOrName | None = None  # "none", a team id or name
    priority: OneOrMany[Priority | Literal["none"]] | None = None
    business_hours: Literal["inside", "outside"] | None = None
    weekday: OneOrMany[Weekday] | None = None
    time_between: tuple[TimeOfDay, TimeOfDay] | None = None
    sla_metric: OneOrMany[SlaMetric] | None = None  # which target an sla_breached event missed

    _key: str = PrivateAttr(default="")

    @property
    def key(self) -> str:
        """The name of the one condition this leaf holds."""
        return self._key

    @property
    def value(self) -> Any:
        return getattr(self, self._key)

    def __repr_args__(self) -> Any:
        return repr_args_of_key(self)

    @field_validator("text_matches")
    @classmethod
    def _regex_compiles(cls, pattern: str) -> str:
        if len(pattern) > MAX_PATTERN:
            raise ValueError(f"a pattern is at most {MAX_PATTERN} characters")
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as e:
            raise ValueError(f"bad regex: {e}") from None
        return pattern

    @model_validator(mode="after")
    def _exactly_one(self) -> Leaf:
        given = [name for name in type(self).model_fields if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                "a condition has exactly one key"
                + (f", got {', '.join(given)}" if given else "")
                + "; or use all/any/not"
            )
        self._key = given[0]
        return self


def _tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("all", "any", "not"):
            if key in value:
                return key
        return "leaf"
    for model, tag in ((All, "all"), (Any_, "any"), (Not, "not"), (Leaf, "leaf")):
        if isinstance(value, model):
            return tag
    return None


Condition = Annotated[
    Annotated[All, Tag("all")]
    | Annotated[Any_, Tag("any")]
    | Annotated[Not, Tag("not")]
    | Annotated[Leaf, Tag("leaf")],
    Discriminator(
        _tag,
        custom_error_type="invalid_condition",
        custom_error_message="a condition is a mapping: all, any, not, or one condition key",
    ),
]

for _model in (All, Any_, Not):
    _model.model_rebuild()


def leaf_keys(cond: Condition) -> set[str]:
    """The condition keys a tree uses anywhere in it."""
    if isinstance(cond, All):
        return set().union(*(leaf_keys(c) for c in cond.all))
    if isinstance(cond, Any_):
        return set().union(*(leaf_keys(c) for c in cond.any))
    if isinstance(cond, Not):
        return leaf_keys(cond.not_)
    return {cond.key}
