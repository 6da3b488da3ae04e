"""A service's refusal becomes one HTTP answer, in one handler (api/errors.py): the kind says
the status, the message is the ``detail``; rule sets answer every problem at once."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from api.errors import install, status_of
from bots.telegram.webhook_setup import WebhookSetupError
from inbox.canned.service import CodeTaken, InvalidCanned
from inbox.conversations.queries import BadCursor
from inbox.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    Malformed,
    NotFound,
    Unavailable,
)
from inbox.media import MediaNotAllowed, MediaUnavailable, NoFile
from inbox.newsletters.campaigns import IllegalTransition
from rules.errors import RuleError, problem


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFound("gone"), 404),
        (Conflict("taken"), 409),
        (Invalid("bad"), 422),
        (Malformed("not ours"), 400),
        (Forbidden("never"), 403),
        (Unavailable("platform down"), 502),
        (BadCursor("invalid cursor"), 400),  # Malformed before Invalid
        (CodeTaken("taken"), 409),
        (InvalidCanned("bad"), 422),
        (IllegalTransition("draft"), 409),
        (NoFile("a location"), 404),
        (MediaNotAllowed("host"), 403),
        (MediaUnavailable("slow"), 502),
        (WebhookSetupError("refused"), 502),
    ],
)
def test_each_kind_has_its_status(error: DomainError, status: int) -> None:
    assert status_of(error) == status


def test_old_names_are_still_what_they_were() -> None:
    """Callers that catch the builtin kinds keep catching them."""
    assert isinstance(CodeTaken("x"), ValueError)
    assert isinstance(IllegalTransition("x"), ValueError)
    assert isinstance(InvalidCanned("x"), ValueError)
    assert isinstance(NotFound("x"), LookupError)


async def test_the_handler_answers_detail_and_status() -> None:
    app = FastAPI()
    install(app)

    @app.get("/conflict")
    async def conflict() -> None:
        raise CodeTaken("the short code 'hi' is taken", field="short_code")

    @app.get("/rules")
    async def rules() -> None:
        raise RuleError([problem(1, "Greeting", "then[0]", "unknown action")])

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        taken = await client.get("/conflict")
        refused = await client.get("/rules")
    assert taken.status_code == 409
    assert taken.json() == {"detail": "the short code 'hi' is taken"}
    assert refused.status_code == 422
    assert refused.json() == {
        "detail": {
            "message": "rule 1 (Greeting) at then[0]: unknown action",
            "errors": [
                {"rule": 1, "name": "Greeting", "path": "then[0]", "error": "unknown action"}
            ],
        }
    }
