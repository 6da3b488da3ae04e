"""The reports page in chromium: no console errors or CSP violations, the SVG charts load and
draw in colour (their own styles apply), and changing a filter changes the URL and the table."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import sign_in
from tests.browser.harness import Service
from tests.browser.test_inbox_browser import telegram_dm

pytestmark = pytest.mark.slow

# Injected before the page's own script (Playwright's init scripts are not subject to the CSP).
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""
# How many pixels of each chart are clearly coloured (pygal's palette comes from its <style>).
COLOURED = """
(img) => {
  const canvas = document.createElement("canvas");
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
    if (Math.max(r, g, b) - Math.min(r, g, b) > 80) n++;
  }
  return n;
}
"""


def _seed(service: Service) -> None:
    """A Telegram DM ten minutes old, answered and resolved through the REST API."""
    admin = service.token("admin@example.com")
    dm = telegram_dm("Is my order shipped?", first_name="Rita")
    dm["message"]["date"] = int(time.time()) - 600
    service.telegram_update(dm)
    [conv] = service.wait_for(
        "Rita's conversation",
        lambda: [c for c in service.conversations(admin) if c["contact"]["display_name"] == "Rita"],
    )
    base = f"{service.base_url}/api/v1/conversations/{conv['id']}"
    r = httpx.post(f"{base}/messages", json={"text": "Yes, today"}, headers=admin)
    assert r.status_code == 201, r.text
    r = httpx.patch(base, json={"status": "resolved"}, headers=admin)
    assert r.status_code == 200, r.text


def _watch(page: Page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    return problems


def _charts_drawn(page: Page) -> dict[str, Any]:
    charts = page.locator("img[data-testid^=chart-]")
    expect(charts).to_have_count(4)
    page.wait_for_function(
        "() => [...document.querySelectorAll('img[data-testid^=chart-]')].every(i => i.complete)"
    )
    drawn: dict[str, Any] = {}
    for i in range(charts.count()):
        img = charts.nth(i)
        name = img.get_attribute("data-testid")
        drawn[str(name)] = (img.evaluate("i => i.naturalWidth"), img.evaluate(COLOURED))
    return drawn


def test_the_reports_page_loads_clean_and_its_filters_change_the_report(
    context: BrowserContext, service: Service
) -> None:
    _seed(service)
    context.add_init_script(WATCH_CSP)
    page = sign_in(context, "admin@example.com")
    problems = _watch(page)
    page.click("nav.mainnav >> text=Reports")
    expect(page).to_have_url(re.compile(r"/reports$"))
    expect(page.locator("h1")).to_have_text("Reports")
    total = page.locator("[data-testid=report-row][data-group=total]")
    expect(total.locator("[data-metric=cycles]")).to_have_text("1")
    expect(total.locator('[data-metric="first_response.median"]')).to_have_text(
        re.compile(r"^10 min( \d+ s)?$")
    )

    drawn = _charts_drawn(page)
    assert {name: width for name, (width, _) in drawn.items()} == {
        "chart-first_response": 800,
        "chart-volume": 800,
        "chart-csat": 800,
        "chart-sla": 800,
    }
    # The charts with data are drawn in the palette, not in black on white.
    assert drawn["chart-volume"][1] > 200, drawn
    assert drawn["chart-first_response"][1] > 200, drawn

    page.select_option("[data-testid=filter-group-by]", "channel")
    page.select_option("[data-testid=filter-interval]", "week")
    page.click("[data-testid=report-apply]")
    expect(page).to_have_url(re.compile(r"group_by=channel"))
    assert "interval=week" in page.url
    row = page.locator("[data-testid=report-row][data-group=telegram]")
    expect(row.locator("th")).to_have_text("Telegram")
    expect(row.locator("[data-metric=cycles]")).to_have_text("1")
    expect(page.locator("[data-testid=filter-group-by]")).to_have_value("channel")
    src = page.locator("[data-testid=chart-volume]").get_attribute("src") or ""
    assert "interval=week" in src
    assert all(width == 800 for width, _ in _charts_drawn(page).values())

    page.fill("[data-testid=filter-tz]", "Mars/Olympus")
    page.click("[data-testid=report-apply]")
    expect(page.locator("[data-testid=report-error]")).to_contain_text(
        "unknown timezone 'Mars/Olympus'"
    )
    expect(page.locator("[data-testid=times-table]")).to_have_count(0)

    page.goto("/reports")  # an empty selection: the charts say so, and still load
    page.fill("[data-testid=filter-from]", "2020-01-01")
    page.fill("[data-testid=filter-to]", "2020-01-31")
    page.click("[data-testid=report-apply]")
    expect(page).to_have_url(re.compile(r"from=2020-01-01"))
    expect(
        page.locator("[data-testid=report-row][data-group=total] [data-metric=cycles]")
    ).to_have_text("0")
    assert all(width == 800 for width, _ in _charts_drawn(page).values())

    # The one expected "error": the 422 of the bad timezone's page itself.
    unexpected = [p for p in problems if "status of 422" not in p]
    assert unexpected == []
    assert page.evaluate("window.__csp") == []


def test_the_csv_links_download_in_the_browser(context: BrowserContext, service: Service) -> None:
    page = sign_in(context, "admin@example.com")
    page.goto("/reports?group_by=channel")
    with page.expect_download() as info:
        page.click("[data-testid=download-summary]")
    download = info.value
    assert download.suggested_filename == "summary.csv"
    text = Path(download.path()).read_text("utf-8")
    assert text.startswith("group,name,cycles,")
