"""The one place a service's refusal becomes an HTTP answer.

Services raise the kinds of :mod:`inbox.errors`; rule sets that do not validate raise
``rules.errors.RuleError`` (every problem at once). Both end here, so a route only calls the
service and every API answer for the same meaning has the same status and body:
``{"detail": "<message>"}``, or ``{"detail": {"message", "errors"}}`` for rules.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from inbox.errors import Conflict, DomainError, Forbidden, Invalid, Malformed, NotFound, Unavailable
from rules.errors import RuleError

STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    Conflict: 409,
    Malformed: 400,
    Invalid: 422,
    Forbidden: 403,
    Unavailable: 502,
}


def status_of(exc: DomainError) -> int:
    """The status of the most specific kind the error is (``Malformed`` before ``Invalid``)."""
    for kind in type(exc).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 400


async def refused(_request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, RuleError):
        detail = {"message": str(exc), "errors": exc.errors}
        return JSONResponse(status_code=422, content={"detail": detail})
    assert isinstance(exc, DomainError)
    return JSONResponse(status_code=status_of(exc), content={"detail": exc.detail})


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, refused)
    app.add_exception_handler(RuleError, refused)
