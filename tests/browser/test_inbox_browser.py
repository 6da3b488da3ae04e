"""The web inbox in a real browser: sign in, live arrival, reply, assign and label, stored XSS,
and the admin pages closed to agents."""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import sign_in
from tests.browser.harness import Service
from tests.browser.screens import demo_server, tour

pytestmark = pytest.mark.slow

_ids = itertools.count(1)


def telegram_dm(
    text: str, *, first_name: str = "Alina", chat_id: int | None = None
) -> dict[str, Any]:
    """A private Telegram message shaped like tests/payloads/telegram/message__dm_text.json."""
    n = next(_ids)
    chat = chat_id or 5_100_000_000 + n * 7 + int(time.time()) % 1000
    person = {"id": chat, "is_bot": False, "first_name": first_name, "language_code": "en"}
    return {
        "update_id": 900_000_000 + n * 13 + int(time.time() * 1000) % 1_000_000,
        "message": {
            "message_id": 1000 + n,
            "from": person,
            "chat": {"id": chat, "first_name": first_name, "type": "private"},
            "date": int(time.time()),
            "text": text,
        },
    }


def open_conversation(page: Page, name: str) -> None:
    page.locator("[data-testid=conversation-row]", has_text=name).first.click()
    expect(page.locator("[data-testid=composer-text]")).to_be_visible()


def test_sign_in_and_out(context: BrowserContext, service: Service) -> None:
    page = context.new_page()
    page.goto("/inbox")
    expect(page).to_have_url(re.compile(r"/login\?next=/inbox"))
    page.fill("input[name=email]", "admin@example.com")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit].primary")
    expect(page.locator("[role=alert]")).to_contain_text("Wrong email or password")
    signed_in = sign_in(context, "admin@example.com")
    expect(signed_in.locator(".me-name")).to_have_text("Ada Admin")
    cookie = next(c for c in context.cookies() if c["name"] == "omnibox_session")
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Lax"
    signed_in.click("text=Sign out")
    expect(signed_in).to_have_url(re.compile(r"/login"))
    signed_in.goto("/inbox")
    expect(signed_in).to_have_url(re.compile(r"/login"))


def test_a_webhook_appears_without_a_reload_and_a_reply_reaches_telegram(
    context: BrowserContext, service: Service
) -> None:
    page = sign_in(context, "admin@example.com")
    page.evaluate("window.__noReload = true")
    service.telegram_update(telegram_dm("Where is my parcel? 📦", first_name="Boris"))
    row = page.locator("[data-testid=conversation-row]", has_text="Boris")
    expect(row).to_be_visible(timeout=15_000)
    assert page.evaluate("window.__noReload") is True  # the same page: nothing reloaded

    open_conversation(page, "Boris")
    expect(page.locator("[data-testid=message]", has_text="Where is my parcel? 📦")).to_be_visible()
    page.fill("[data-testid=composer-text]", "It left our warehouse today 🚚")
    page.click("[data-testid=composer-send]")
    sent = service.wait_for(
        "the reply at the fake Telegram",
        lambda: [
            c
            for c in service.fakes.telegram.calls_to("sendMessage")
            if c.params.get("text") == "It left our warehouse today 🚚"
        ],
    )
    assert len(sent) == 1
    expect(
        page.locator("[data-testid=message]", has_text="It left our warehouse today")
    ).to_contain_text(re.compile("sent", re.I), timeout=15_000)


def test_assign_and_label(context: BrowserContext, service: Service) -> None:
    service.add_user("carla@example.com", "agent", "Carla Agent")
    admin = service.token("admin@example.com")
    service.telegram_update(telegram_dm("I want to return a jacket", first_name="Dmitri"))
    service.wait_for(
        "Dmitri's conversation",
        lambda: [
            c for c in service.conversations(admin) if c["contact"]["display_name"] == "Dmitri"
        ],
    )
    page = sign_in(context, "admin@example.com")
    open_conversation(page, "Dmitri")
    page.select_option("[data-testid=assign-agent]", label="Carla Agent")
    page.fill("[data-testid=label-input]", "returns")
    page.click("[data-testid=add-label]")

    def assigned() -> list[dict[str, Any]]:
        return [
            c
            for c in service.conversations(admin)
            if c["contact"]["display_name"] == "Dmitri"
            and c["assignee_id"] is not None
            and "returns" in c["labels"]
        ]

    [conversation] = service.wait_for("the assignment and the label", assigned)
    users = {u["email"]: u["id"] for u in _users(service, admin)}
    assert conversation["assignee_id"] == users["carla@example.com"]
    page.reload()
    expect(page.locator("[data-testid=conversation-labels]")).to_contain_text("returns")


def test_a_stored_xss_message_is_inert(context: BrowserContext, service: Service) -> None:
    payload = '<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script>'
    service.telegram_update(telegram_dm(payload, first_name='<b onmouseover="alert(2)">Eve</b>'))
    page = sign_in(context, "admin@example.com")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    row = page.locator("[data-testid=conversation-row]", has_text="Eve")
    expect(row).to_be_visible(timeout=15_000)
    row.first.click()
    message = page.locator("[data-testid=message]", has_text="onerror")
    expect(message).to_contain_text(payload)
    message.hover()
    page.wait_for_timeout(500)
    assert dialogs == []
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator("img[src=x]").count() == 0


def test_an_agent_cannot_open_admin_pages(context: BrowserContext, service: Service) -> None:
    service.add_user("dora@example.com", "agent", "Dora Agent")
    page = sign_in(context, "dora@example.com")
    expect(page.locator("nav.mainnav")).not_to_contain_text("Accounts")
    for path in ("/admin/accounts", "/admin/people", "/admin/rules", "/admin/canned-replies"):
        response = page.goto(path)
        assert response is not None
        assert response.status == 403, path


def _users(service: Service, headers: dict[str, str]) -> list[dict[str, Any]]:
    import httpx

    r = httpx.get(f"{service.base_url}/api/v1/users", headers=headers)
    r.raise_for_status()
    users: list[dict[str, Any]] = r.json()
    return users


def test_the_screenshot_tour_of_a_demo_instance_runs_clean(
    browser: Browser, tmp_path: Path
) -> None:
    (tmp_path / "demo").mkdir()
    server, base = demo_server(tmp_path / "demo")
    try:
        errors = tour(browser, base, tmp_path / "shots")
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert errors == []
    shots = sorted(p.name for p in (tmp_path / "shots").glob("*.png"))
    assert len(shots) == 9, shots
    for shot in (tmp_path / "shots").glob("*.png"):
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert shot.stat().st_size > 5000
