"""Field types shared by conditions and actions: YAML-friendly, normalised once at validation.

YAML 1.1 has traps an admin should not have to know: ``22:00`` unquoted is the integer 1320,
``off`` and ``no`` are booleans. The validators here accept those readings and turn them back
into what was meant, so a rule file reads the way it was written.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BeforeValidator, Field, PlainValidator

from rules._calendar_io import format_time, parse_time

T = TypeVar("T")

Channel = Literal["telegram", "vk", "facebook", "instagram"]
Kind = Literal["direct", "comment"]
Status = Literal["open", "pending", "snoozed", "resolved"]
Priority = Literal["low", "medium", "high", "urgent"]
SlaMetric = Literal["first_response", "next_response", "resolution"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NONE = "none"  # "no assignee", "no team", "no priority" in conditions


def _listify(value: Any) -> Any:
    """A single value stands for a one-item list: ``kind: comment``."""
    return value if isinstance(value, list | tuple | set | frozenset) else [value]


OneOrMany = Annotated[list[T], BeforeValidator(_listify), Field(min_length=1)]


def normalise_label(value: str) -> str:
    """The inbox's label form: whitespace collapsed, casefolded, 1 to 64 characters."""
    cleaned = " ".join(value.split()).casefold()
    if not cleaned or len(cleaned) > 64:
        raise ValueError("a label is 1 to 64 characters")
    return cleaned


Label = Annotated[str, AfterValidator(normalise_label)]


def _time_text(value: Any) -> str:
    return format_time(parse_time(value))


TimeOfDay = Annotated[str, BeforeValidator(_time_text)]


def _nonblank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


NonBlank = Annotated[str, AfterValidator(_nonblank)]


def _keyword(value: Any) -> Any:
    if isinstance(value, bool):  # YAML 1.1: yes/no/on/off unquoted
        raise ValueError("a keyword read as true/false: put yes, no, on, off in quotes")
    return str(value) if isinstance(value, int | float) else value


Keyword = Annotated[str, BeforeValidator(_keyword), AfterValidator(_nonblank)]


def _language_code(value: Any) -> Any:
    if value is False:  # YAML 1.1 reads Norwegian `no` as false
        return "no"
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        return value.strip().lower()
    raise ValueError(f"a language is a two-letter ISO 639-1 code such as 'ru', not {value!r}")


LanguageCode = Annotated[str, BeforeValidator(_language_code)]


def _id_or_name(value: Any) -> int | str:
    """Ids stay ints; names are stripped strings (``none`` is the absence of one)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise ValueError(f"expected an id (a number) or a name, not {value!r}")


IdOrName = Annotated[int | str, PlainValidator(_id_or_name)]

MAX_PATTERN = 1000  # characters in a text_matches regex
MAX_TEMPLATE = 4000  # characters in a reply template


def repr_args_of_key(model: Any) -> Any:
    """Show only the one field a keyed model holds: ``Leaf(kind=['comment'])``."""
    yield model.key, model.value
