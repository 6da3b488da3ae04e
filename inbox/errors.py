"""What a refused request means, said once by the service that refuses it.

Services raise these (or their own subclasses, which keep their old names so callers that
catch them by name still do); the API turns each kind into one HTTP status in a single
exception handler, so no route translates errors by hand and the CLI and the web pages read
the same meaning from the same classes.

- :class:`NotFound` — the thing named does not exist (404);
- :class:`Conflict` — it exists, but its state or a uniqueness rule refuses the change (409);
- :class:`Invalid` — the values given cannot make the thing (422); a ``ValueError``;
- :class:`Malformed` — a token the client should only echo back (a cursor) was not one we
  made (400);
- :class:`Forbidden` — allowed to no one, whatever the caller's role (403);
- :class:`Unavailable` — a platform the answer depends on did not give it (502).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal with a message meant for the person who asked, and optionally the field of
    their request it is about (``field``, for forms that point at it)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def detail(self) -> Any:
        """What the API answers as ``detail``: the message, unless a kind says more."""
        return self.message


class NotFound(DomainError, LookupError):
    pass


class Conflict(DomainError):
    pass


class Invalid(DomainError, ValueError):
    pass


class Malformed(Invalid):
    pass


class Forbidden(DomainError):
    pass


class Unavailable(DomainError):
    pass
