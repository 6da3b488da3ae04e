"""Browser tests: Playwright for Python driving Debian's chromium against a real ``omnibox
serve``. Chromium is a requirement of the test command (``.ci/run`` installs it): a missing
browser fails these tests, it never skips them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.browser.harness import PASSWORD, Fakes, Service, start_service, stop_service

CHROMIUM = os.environ.get("OMNIBOX_TEST_CHROMIUM", "/usr/bin/chromium")


# Playwright's 5 s default wait for an expectation is short on a 2-core CI machine running
# the rest of the suite beside the browser (a campaign's schedule round trip once took
# longer); an expectation that holds still passes the moment it holds.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Per module: Playwright's sync API runs an event loop of its own in this thread while it
    is open, and the asyncio tests that follow need the thread's loop back."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `apt-get install chromium` (the browser tests need it)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def fakes() -> Iterator[Fakes]:
    running = Fakes()
    yield running
    running.close()


@pytest.fixture(scope="module")
def service(fakes: Fakes, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    started = start_service(tmp_path_factory.mktemp("browser"), fakes)
    yield started
    stop_service(started)


@pytest.fixture
def context(browser: Browser, service: Service) -> Iterator[BrowserContext]:
    made = browser.new_context(
        base_url=service.base_url, locale="en-US", viewport={"width": 1400, "height": 900}
    )
    yield made
    made.close()


def sign_in(context: BrowserContext, email: str, password: str = PASSWORD) -> Page:
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(lambda url: urlsplit(url).path.startswith("/inbox"))
    if page.locator("nav.mainnav").count() == 0:  # say what came instead of the inbox
        body = page.locator("body").inner_text()[:400]
        raise AssertionError(f"signed in as {email}, but {page.url} shows no inbox: {body!r}")
    return page
