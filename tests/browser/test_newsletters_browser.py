"""The newsletters page in chromium: a segment and a campaign made through its forms, sent
with its button, and its progress followed live to the end; no console errors or CSP
violations on the way."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.browser.conftest import sign_in
from tests.browser.harness import Service
from tests.browser.test_inbox_browser import telegram_dm
from tests.browser.test_reports_browser import WATCH_CSP, _watch

pytestmark = pytest.mark.slow


def _subscribers(service: Service, names: tuple[str, ...]) -> None:
    """People who wrote to the Telegram bot, subscribed by the admin through the REST API."""
    admin = service.token("admin@example.com")
    for name in names:
        service.telegram_update(telegram_dm("Hi there", first_name=name))

    def everyone() -> list[int] | None:  # the worker stores them one by one: wait for all
        found = {
            c["contact"]["display_name"]: c["contact"]["id"]
            for c in service.conversations(admin)
            if c["contact"]["display_name"] in names
        }
        return list(found.values()) if len(found) == len(names) else None

    people = service.wait_for("the new people", everyone)
    tg = service.accounts["telegram"]["id"]
    for contact_id in people:
        r = httpx.put(
            f"{service.base_url}/api/v1/subscribers/{tg}/{contact_id}",
            json={"status": "subscribed"},
            headers=admin,
        )
        assert r.status_code == 200, r.text


def test_a_campaign_made_and_sent_from_the_page(context: BrowserContext, service: Service) -> None:
    _subscribers(service, ("Nina", "Oleg"))
    context.add_init_script(WATCH_CSP)
    page = sign_in(context, "admin@example.com")
    problems = _watch(page)
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("nav.mainnav >> text=Newsletters")
    expect(page).to_have_url(re.compile(r"/admin/newsletters$"))
    expect(page.locator("h1")).to_have_text("Newsletters")

    form = page.locator("[data-testid=campaign-form]")
    note = page.locator("#campaign-meta-note")
    fb = str(service.accounts["facebook"]["id"])
    tg = str(service.accounts["telegram"]["id"])
    form.locator("[data-testid=campaign-account]").select_option(fb)
    expect(note).to_be_visible()
    expect(note).to_contain_text("Meta only lets a page message people who wrote")
    form.locator("[data-testid=campaign-account]").select_option(tg)
    expect(note).to_be_hidden()

    page.fill("[data-testid=segment-name]", "Browser people")
    page.select_option("[data-testid=segment-account]", tg)
    page.click("[data-testid=segment-create]")
    expect(page.locator("[data-testid=segment-size]")).to_contain_text(
        re.compile(r"Browser people.*: [2-9]\d* people")
    )

    form.locator("[data-testid=campaign-name]").fill("Browser spring news")
    form.locator("[data-testid=campaign-segment]").select_option(label="Browser people")
    form.locator("[data-testid=campaign-text]").fill("Hello {{ contact.first_name }}!")
    form.locator("[data-testid=campaign-buttons]").fill("Shop | shop_now\nNo thanks | stop")
    form.locator("[data-testid=campaign-create]").click()
    expect(page).to_have_url(re.compile(r"/admin/newsletters/\d+$"))
    expect(page.locator("[data-testid=campaign-title]")).to_have_text("Browser spring news")
    expect(page.locator("[data-testid=campaign-status]")).to_have_attribute("data-status", "draft")

    page.click("[data-testid=campaign-send]")
    # Sent by the running service's dispatcher and sender; the poll follows it to the end.
    status = page.locator("[data-testid=campaign-status]")
    expect(status).to_have_attribute("data-status", "done", timeout=30_000)
    card = page.locator("[data-testid=campaign-card]")
    audience = int(card.locator("[data-count=audience]").inner_text())
    assert audience >= 2
    expect(card.locator("[data-count=sent]")).to_have_text(str(audience))
    width = card.locator("rect[data-part=sent]").get_attribute("width")
    assert float(width or 0) == 100.0
    expect(page.locator("[data-testid=recipient-row]")).to_have_count(audience)

    page.click("text=All newsletters")
    row = page.locator("[data-testid=campaign-row]", has_text="Browser spring news")
    expect(row.locator("[data-testid=campaign-status]")).to_have_attribute("data-status", "done")
    assert problems == []
    assert page.evaluate("window.__csp") == []


def test_schedule_sends_the_browsers_local_time_with_its_offset(
    browser: Browser, service: Service
) -> None:
    admin = service.token("admin@example.com")
    body = {
        "name": "Seoul morning",
        "account_id": service.accounts["telegram"]["id"],
        "text": "Good morning",
        "tag": "useful",
    }
    r = httpx.post(f"{service.base_url}/api/v1/campaigns", json=body, headers=admin)
    assert r.status_code == 201, r.text
    campaign_id = r.json()["id"]
    context = browser.new_context(
        base_url=service.base_url, locale="en-US", timezone_id="Asia/Seoul"
    )
    try:
        page = sign_in(context, "admin@example.com")
        page.goto(f"/admin/newsletters/{campaign_id}")
        page.fill("[data-testid=campaign-schedule-at]", "2030-01-02T10:00")
        page.click("[data-testid=campaign-schedule]")
        status = page.locator("[data-testid=campaign-status]")
        expect(status).to_have_attribute("data-status", "scheduled")
        expect(page.locator("[data-testid=campaign-card] time")).to_have_text(
            "2030-01-02 01:00 UTC"
        )
        expect(page.locator("[data-testid=campaign-pause]")).to_have_count(0)
        page.on("dialog", lambda dialog: dialog.accept())
        page.click("[data-testid=campaign-cancel]")
        expect(status).to_have_attribute("data-status", "cancelled")
        expect(page.locator("[data-testid=campaign-actions] button")).to_have_count(0)
    finally:
        context.close()
    r = httpx.get(f"{service.base_url}/api/v1/campaigns/{campaign_id}", headers=admin)
    assert r.json()["scheduled_at"].startswith("2030-01-02T01:00:00")
