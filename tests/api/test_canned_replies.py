"""``/api/v1/canned-replies``: everyone searches (codes by prefix first, then titles and texts),
admins write; codes are case-folded, in any script, and unique."""

from __future__ import annotations

from typing import Any

import httpx

from api.runtime import Runtime
from inbox.users.models import Role
from tests.support.factories import add_user, admin_headers, login

URL = "/api/v1/canned-replies"


async def _add(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> Any:
    r = await client.post(URL, json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def _codes(client: httpx.AsyncClient, headers: dict[str, str], q: str | None) -> list[str]:
    r = await client.get(URL, params={} if q is None else {"q": q}, headers=headers)
    assert r.status_code == 200, r.text
    return [item["short_code"] for item in r.json()["items"]]


async def test_admins_write_and_everyone_reads(client: httpx.AsyncClient, runtime: Runtime) -> None:
    admin = await admin_headers(client, runtime)
    await add_user(runtime, "agent@example.com", Role.AGENT)
    agent = await login(client, "agent@example.com")

    created = await _add(
        client, admin, short_code="Hello", title="Greeting", text="Hi! <b>How</b>?"
    )
    assert {k: created[k] for k in ("short_code", "title", "text")} == {
        "short_code": "hello",
        "title": "Greeting",
        "text": "Hi! <b>How</b>?",
    }
    r = await client.get(URL, headers=agent)
    assert r.json() == {"items": [created]}

    body = {"short_code": "hi", "title": "Short", "text": "Hi"}
    r = await client.put(f"{URL}/{created['id']}", json=body, headers=admin)
    assert r.status_code == 200, r.text
    assert (r.json()["short_code"], r.json()["text"]) == ("hi", "Hi")
    assert r.json()["updated_at"] >= created["updated_at"]

    assert (await client.post(URL, json=body, headers=agent)).status_code == 403
    assert (await client.put(f"{URL}/{created['id']}", json=body, headers=agent)).status_code == 403
    assert (await client.delete(f"{URL}/{created['id']}", headers=agent)).status_code == 403
    assert (await client.get(URL)).status_code == 401

    r = await client.delete(f"{URL}/{created['id']}", headers=admin)
    assert (r.status_code, r.content) == (204, b"")
    assert await _codes(client, agent, None) == []
    assert (await client.delete(f"{URL}/{created['id']}", headers=admin)).status_code == 404
    assert (await client.put(f"{URL}/{created['id']}", json=body, headers=admin)).status_code == 404


async def test_codes_are_unique_whatever_their_case(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await admin_headers(client, runtime)
    first = await _add(client, admin, short_code="Привет", title="", text="Здравствуйте!")
    second = await _add(client, admin, short_code="bye", title="", text="Bye")
    assert first["short_code"] == "привет"

    r = await client.post(URL, json={"short_code": "ПРИВЕТ", "text": "again"}, headers=admin)
    assert r.status_code == 409
    body = {"short_code": "ПРИВЕТ", "title": "", "text": "clash"}
    r = await client.put(f"{URL}/{second['id']}", json=body, headers=admin)
    assert r.status_code == 409
    body = {"short_code": "BYE", "title": "New title", "text": "Bye!"}
    r = await client.put(f"{URL}/{second['id']}", json=body, headers=admin)
    assert r.status_code == 200, r.text  # keeping its own code is no clash
    assert sorted(await _codes(client, admin, None)) == ["bye", "привет"]


async def test_bad_bodies_are_422(client: httpx.AsyncClient, runtime: Runtime) -> None:
    admin = await admin_headers(client, runtime)
    for body in (
        {"short_code": "", "text": "x"},
        {"short_code": "has space", "text": "x"},
        {"short_code": "/slash", "text": "x"},
        {"short_code": "x" * 33, "text": "x"},
        {"short_code": "ok", "text": ""},
        {"short_code": "ok", "text": "   "},
        {"short_code": "ok", "text": "x" * 10_001},
        {"short_code": "ok", "title": "t" * 201, "text": "x"},
        {"text": "x"},
    ):
        r = await client.post(URL, json=body, headers=admin)
        assert r.status_code == 422, (body, r.text)
    for code in ("배송_안내", "dostavka-2", "ß"):
        await _add(client, admin, short_code=code, text="ok")
    assert sorted(await _codes(client, admin, None)) == ["dostavka-2", "ss", "배송_안내"]
    assert (
        await client.put(f"{URL}/0", json={"short_code": "a", "text": "b"}, headers=admin)
    ).status_code == 422


async def test_search_puts_code_prefixes_first_then_titles_and_texts(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await admin_headers(client, runtime)
    await _add(client, admin, short_code="ship-late", title="Late parcel", text="Sorry!")
    await _add(client, admin, short_code="ship", title="Shipping", text="We ship daily.")
    await _add(client, admin, short_code="refund", title="", text="Refunds take 5 days to ship.")
    await _add(client, admin, short_code="apology", title="Ship delays", text="Sorry.")
    await _add(client, admin, short_code="hello", title="Hi", text="Hello there")
    await _add(client, admin, short_code="доставка", title="", text="доставка 2 дня")

    assert await _codes(client, admin, "SHIP") == ["ship", "ship-late", "apology", "refund"]
    assert await _codes(client, admin, "ship-") == ["ship-late"]
    assert await _codes(client, admin, "Дост") == ["доставка"]
    assert await _codes(client, admin, "2 дн") == ["доставка"]
    assert await _codes(client, admin, "%") == []
    assert await _codes(client, admin, "_") == []
    assert await _codes(client, admin, "") == [
        "apology",
        "hello",
        "refund",
        "ship",
        "ship-late",
        "доставка",
    ]
    r = await client.get(URL, params={"q": "x" * 101}, headers=admin)
    assert r.status_code == 422


async def test_at_most_fifty_come_back(client: httpx.AsyncClient, runtime: Runtime) -> None:
    admin = await admin_headers(client, runtime)
    for n in range(55):
        await _add(client, admin, short_code=f"c{n:02d}", text="text")
    codes = await _codes(client, admin, "c")
    assert codes == [f"c{n:02d}" for n in range(50)]
