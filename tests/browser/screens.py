"""Screenshots of the main screens, taken from a demo instance (``omnibox demo`` then
``omnibox serve``) in Debian's chromium.

``python -m tests.browser.screens`` writes them to docs/screenshots/ (the README shows them);
the browser suite runs the same tour into a temporary folder, so it cannot rot.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.harness import serve

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM = os.environ.get("OMNIBOX_TEST_CHROMIUM", "/usr/bin/chromium")
DEMO_PASSWORD = "omnibox-demo"


def demo_server(workdir: Path) -> tuple[subprocess.Popen[str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMNIBOX_")}
    env["OMNIBOX_ENVIRONMENT"] = "development"
    env["OMNIBOX_LOGIN_ATTEMPTS_PER_IP"] = "1000"
    subprocess.run(
        [sys.executable, "-m", "api", "demo"],
        env=env,
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return serve(workdir, env)


def _sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/inbox**")


def _open(page: Page, text: str) -> None:
    page.locator("[data-testid=conversation-row]", has_text=text).first.click()
    page.wait_for_selector("[data-testid=composer-text]")
    page.wait_for_timeout(400)


def tour(browser: Browser, base: str, out: Path) -> list[str]:
    """Take the screenshots; return the script errors the pages logged (there should be none)."""
    out.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    desk = browser.new_context(base_url=base, viewport={"width": 1440, "height": 900})
    page = desk.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/login")
    page.screenshot(path=str(out / "sign-in.png"))
    _sign_in(page, "anna@example.com")
    page.wait_for_timeout(400)
    page.screenshot(path=str(out / "inbox.png"))
    _open(page, "доставка")
    page.screenshot(path=str(out / "vk-comment.png"))
    _open(page, "Сергей")
    page.fill("[data-testid=composer-text]", "/")
    page.wait_for_timeout(600)
    page.screenshot(path=str(out / "telegram-dm-canned-replies.png"))
    page.fill("[data-testid=composer-text]", "")
    admin = browser.new_context(base_url=base, viewport={"width": 1440, "height": 1000})
    admin_page = admin.new_page()
    admin_page.on("pageerror", lambda e: errors.append(str(e)))
    _sign_in(admin_page, "admin@example.com")
    for name, path in (("admin-accounts", "/admin/accounts"), ("admin-rules", "/admin/rules")):
        admin_page.goto(path)
        admin_page.screenshot(path=str(out / f"{name}.png"))
    admin_page.goto("/reports?interval=day")
    admin_page.wait_for_function(
        "() => [...document.querySelectorAll('img[data-testid^=chart-]')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    admin_page.screenshot(path=str(out / "reports.png"), full_page=True)
    phone = browser.new_context(
        base_url=base,
        viewport={"width": 390, "height": 844},
        locale="ru-RU",
        storage_state=desk.storage_state(),
        is_mobile=True,
        has_touch=True,
    )
    phone_page = phone.new_page()
    phone_page.on("pageerror", lambda e: errors.append(str(e)))
    phone_page.goto("/inbox")
    phone_page.screenshot(path=str(out / "phone-ru-list.png"))
    phone_page.locator("[data-testid=conversation-row]").first.click()
    phone_page.wait_for_selector("[data-testid=composer-text]")
    phone_page.screenshot(path=str(out / "phone-ru-conversation.png"))
    for context in (desk, admin, phone):
        context.close()
    return errors


def main() -> None:
    with tempfile.TemporaryDirectory() as workdir:
        server, base = demo_server(Path(workdir))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox"]
                )
                errors = tour(browser, base, DOCS)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    for error in errors:
        sys.stderr.write(f"page error: {error}\n")
    sys.stdout.write(f"screenshots in {DOCS}\n")


if __name__ == "__main__":
    main()
