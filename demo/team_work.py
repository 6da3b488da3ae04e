"""What the demo team has already done, through the REST API as agents do it: answers,
private notes, assignments, labels, priorities, resolutions.

Safe to repeat (a resumed run): replies carry an ``Idempotency-Key``, a note is written only
if the conversation does not have it yet, and the changes set values rather than add them.
"""

from __future__ import annotations

from typing import Any

import httpx

from demo import scenario
from demo.scenario import Thread


class DemoFailed(RuntimeError):
    """The service answered the demo with an error; the message says which call."""


def _ok(r: httpx.Response, what: str) -> Any:
    if r.status_code >= 300:
        raise DemoFailed(f"{what}: HTTP {r.status_code} {r.text[:300]}")
    return r.json()


async def conversations(client: httpx.AsyncClient, token: str) -> dict[tuple[str, str], Any]:
    """Every conversation by (channel, the contact's platform id)."""
    found: dict[tuple[str, str], Any] = {}
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = _ok(
            await client.get("/api/v1/conversations", params=params, headers=_auth(token)),
            "listing conversations",
        )
        for c in page["items"]:
            found[(c["channel"], str(c["contact"]["external_id"]))] = c
        cursor = page.get("next_cursor")
        if not cursor:
            return found


async def work(
    client: httpx.AsyncClient,
    tokens: dict[str, str],
    users: dict[str, int],
    teams: dict[str, int],
    found: dict[tuple[str, str], Any],
) -> None:
    admin = scenario.USERS[0].email
    for i, thread in enumerate(scenario.THREADS):
        conversation = found.get((thread.channel, thread.person.id))
        if conversation is None:
            raise DemoFailed(f"no conversation for {thread.channel} {thread.person.id}")
        cid = conversation["id"]
        token = tokens[thread.assignee or admin]
        if thread.reply:
            headers = {**_auth(token), "Idempotency-Key": f"omnibox-demo-reply-{i}"}
            r = await client.post(
                f"/api/v1/conversations/{cid}/messages",
                json={"text": thread.reply},
                headers=headers,
            )
            _ok(r, f"answering conversation {cid}")
        if thread.note and not await _has_note(client, token, cid, thread.note):
            r = await client.post(
                f"/api/v1/conversations/{cid}/messages",
                json={"text": thread.note, "private": True},
                headers=_auth(token),
            )
            _ok(r, f"adding a note to conversation {cid}")
        change = _change(thread, conversation, users, teams)
        if change:
            r = await client.patch(
                f"/api/v1/conversations/{cid}", json=change, headers=_auth(tokens[admin])
            )
            _ok(r, f"updating conversation {cid}")


def _change(
    thread: Thread, conversation: Any, users: dict[str, int], teams: dict[str, int]
) -> dict[str, Any]:
    change: dict[str, Any] = {}
    if thread.assignee:
        change["assignee_id"] = users[thread.assignee]
        if conversation["team_id"] is None:
            change["team_id"] = teams["Support"]
    if thread.labels:  # beside what the rules labelled
        change["labels"] = sorted({*conversation["labels"], *thread.labels})
    if thread.priority:
        change["priority"] = thread.priority
    if thread.status:
        change["status"] = thread.status
    return change


async def _has_note(client: httpx.AsyncClient, token: str, cid: int, text: str) -> bool:
    page = _ok(
        await client.get(
            f"/api/v1/conversations/{cid}/messages", params={"limit": 500}, headers=_auth(token)
        ),
        f"reading conversation {cid}",
    )
    return any(m["private"] and m["text"] == text for m in page["items"])


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
