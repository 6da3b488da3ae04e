"""The reports page: figures from conversations seeded through the real webhook and REST API,
admins only, SVG charts without script, CSV links that work with the session cookie, input
errors shown on the page, and the three languages."""

# ruff: noqa: RUF001 - Cyrillic, Hangul and the en dash of a period are deliberate

from __future__ import annotations

import csv
import html
import io
import re
import time
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from api.web import i18n
from api.web.reports_view import duration
from inbox.reporting.models import Cycle
from inbox.users.models import Role
from tests.outbound.conftest import Service
from tests.outbound.conftest import service as service  # the fixture
from tests.support.factories import add_user, post_telegram
from tests.support.payloads import load_payload
from tests.support.probes import with_changes
from tests.web.browser import sign_in

# the page's rendering (the figures are tested on both backends in tests/reporting).
pytestmark = pytest.mark.one_backend

_cycles = Cycle.__table__  # type: ignore[attr-defined]
CHARTS = ("first_response", "volume", "csat", "sla")
SVG = "{http://www.w3.org/2000/svg}"


def _dm(update_id: int, date: int, text: str = "hello") -> dict[str, Any]:
    return with_changes(
        load_payload("telegram", "message__dm_text"),
        **{
            "update_id": update_id,
            "message.message_id": update_id,
            "message.date": date,
            "message.text": text,
        },
    )


async def _seed(svc: Service) -> int:
    """A Telegram DM ten minutes old, an agent's reply, resolved, and a CSAT answer of 4."""
    tg = svc.accounts["telegram"]["id"]
    r = await post_telegram(svc.client, tg, _dm(7001, int(time.time()) - 600))
    assert r.status_code == 200
    await svc.drain()
    [conv] = await svc.conversations()
    assert (await svc.reply(conv["id"], "On its way")).status_code == 201
    r = await svc.client.patch(
        f"/api/v1/conversations/{conv['id']}", json={"status": "resolved"}, headers=svc.headers
    )
    assert r.status_code == 200, r.text
    async with svc.rt.engine.begin() as conn:
        cycle_id = (
            await conn.execute(select(_cycles.c.id).where(_cycles.c.conversation_id == conv["id"]))
        ).scalar_one()
        await conn.execute(update(_cycles).values(csat_requested_at=_cycles.c.opened_at))
    press = with_changes(
        load_payload("telegram", "callback_query__button"),
        **{"callback_query.data": f"csat:{cycle_id}:4", "callback_query.from.id": 5123456789},
    )
    assert (await post_telegram(svc.client, tg, press)).status_code == 200
    await svc.drain()
    return int(conv["id"])


async def _admin_page(svc: Service, query: str = "", **headers: str) -> httpx.Response:
    await sign_in(svc.client, "admin@example.com")
    return await svc.client.get("/reports" + query, headers=headers)


def _cell(page: str, group: str, metric: str, table: str = "report-row") -> re.Match[str]:
    row = re.search(
        rf'<tr data-testid="{table}" data-group="{re.escape(group)}".*?</tr>', page, re.S
    )
    assert row is not None, (group, page)
    seconds = r'(?: data-seconds="([^"]*)")?'
    cell = re.search(
        rf'<td class="num" data-metric="{re.escape(metric)}"{seconds}>([^<]*)</td>', row[0]
    )
    assert cell is not None, (metric, row[0])
    return cell


def _links(page: str, prefix: str) -> dict[str, str]:
    found = re.findall(rf'<a href="([^"]+)" download data-testid="{prefix}-(\w+)"', page)
    return {name: html.unescape(href) for href, name in found}


def _chart_sources(page: str) -> dict[str, str]:
    found = re.findall(r'<img src="([^"]+)" alt="[^"]*" [^>]*data-testid="chart-(\w+)"', page)
    return {name: html.unescape(src) for src, name in found}


async def test_an_admin_sees_the_figures(service: Service) -> None:
    svc = service
    await _seed(svc)
    r = await _admin_page(svc)
    assert r.status_code == 200, r.text
    page = r.text
    assert '<a href="/reports" aria-current="page">Reports</a>' in page
    assert _cell(page, "total", "cycles")[2] == "1"
    assert _cell(page, "total", "resolved")[2] == "1"
    median = _cell(page, "total", "first_response.median")
    assert 600 <= float(median[1]) < 660  # the customer's own timestamp, ten minutes ago
    assert re.fullmatch(r"10 min( \d+ s)?", median[2]), median[2]
    assert _cell(page, "total", "first_response.count")[2] == "1"
    assert _cell(page, "total", "first_automated_response.median")[2] == "—"
    assert _cell(page, "total", "csat.4", "csat-row")[2] == "1"
    assert _cell(page, "total", "csat.mean", "csat-row")[2] == "4"
    assert _cell(page, "total", "csat.satisfied_share", "csat-row")[2] == "100%"
    assert _cell(page, "total", "sla.first_response.compliance", "sla-row")[2] == "—"
    for key in ("open", "unassigned", "waiting", "breached"):
        live = re.search(rf'data-testid="live-{key}"><span class="figure">(\d+)</span>', page)
        assert live is not None, key
        assert live[1] == "0", key  # the one conversation is resolved
    assert set(_chart_sources(page)) == set(CHARTS)
    assert set(_links(page, "download")) == {"summary", "timeseries", "cycles"}


async def test_grouped_by_agent_and_by_channel_a_row_per_group(service: Service) -> None:
    svc = service
    await _seed(svc)
    page = (await _admin_page(svc, "?group_by=agent")).text
    groups = re.findall(
        r'data-testid="report-row" data-group="([^"]*)"[^>]*>\s*<th[^>]*>([^<]*)', page
    )
    assert groups[0] == ("total", "Total")
    # The reply is credited to its author (no name: the email), and so is the resolution of
    # the unassigned cycle (the agent who resolved it): one row, no "(none)".
    assert [name for _, name in groups[1:]] == ["admin@example.com"]
    admin_key = groups[1][0]
    assert _cell(page, admin_key, "first_response.count")[2] == "1"
    assert _cell(page, admin_key, "resolution.count")[2] == "1"
    page = (await _admin_page(svc, "?group_by=channel")).text
    assert _cell(page, "telegram", "cycles")[2] == "1"
    assert re.search(
        r'data-group="telegram"[^>]*>\s*<th scope="row" class="group-name">Telegram', page
    )
    assert '<option value="channel" selected>' in page


async def test_business_hours_show_the_business_variants(service: Service) -> None:
    svc = service
    await _seed(svc)
    api = await svc.client.get(
        "/api/v1/reports/summary",
        params={"to": time.strftime("%Y-%m-%dT23:59:59+00:00", time.gmtime(time.time() + 86400))},
        headers=svc.headers,
    )
    expected = api.json()["total"]["first_response_business"]["median"]
    wall = api.json()["total"]["first_response"]["median"]
    page = (await _admin_page(svc, "?bh=1")).text
    shown = _cell(page, "total", "first_response.median")[1]
    assert shown == ("" if expected is None else f"{expected}")
    assert 'name="bh" value="1" checked' in page
    assert "bh=1" in _chart_sources(page)["first_response"]
    plain = (await _admin_page(svc)).text
    assert float(_cell(plain, "total", "first_response.median")[1]) == wall


async def test_sla_compliance_per_target_in_the_table_and_the_chart(service: Service) -> None:
    svc = service
    policy = {"name": "Fast", "first_response_minutes": 5, "resolution_minutes": 600}
    r = await svc.client.post("/api/v1/sla-policies", json=policy, headers=svc.headers)
    assert r.status_code == 201, r.text
    await _seed(svc)  # answered after ten minutes, resolved at once
    page = (await _admin_page(svc)).text
    assert _cell(page, "total", "sla.first_response.met", "sla-row")[2] == "0"
    assert _cell(page, "total", "sla.first_response.breached", "sla-row")[2] == "1"
    assert _cell(page, "total", "sla.first_response.compliance", "sla-row")[2] == "0%"
    assert _cell(page, "total", "sla.resolution.compliance", "sla-row")[2] == "100%"
    assert _cell(page, "total", "sla.next_response.compliance", "sla-row")[2] == "—"
    root = _svg(await svc.client.get(_chart_sources(page)["sla"]))
    texts = _texts(root)
    assert "No data for this period" not in texts
    assert {"First response", "Resolution"} <= set(texts)


async def test_agents_get_403_and_no_link(service: Service) -> None:
    svc = service
    await add_user(svc.rt, "agent@example.com", Role.AGENT)
    await sign_in(svc.client, "agent@example.com")
    r = await svc.client.get("/reports", headers={"Accept": "text/html"})
    assert r.status_code == 403
    assert 'href="/reports"' not in r.text
    inbox = await svc.client.get("/inbox")
    assert inbox.status_code == 200
    assert 'href="/reports"' not in inbox.text
    for name in CHARTS:
        assert (await svc.client.get(f"/reports/charts/{name}.svg")).status_code == 403
    svc.client.cookies.clear()
    r = await svc.client.get("/reports?group_by=team")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/reports?group_by=team"


def _svg(response: httpx.Response) -> ET.Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml"
    assert "script-src" not in response.headers["content-security-policy"]
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    root = _parse(response.content)
    assert root.tag == f"{SVG}svg"
    assert [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "script"] == []
    assert b"<script" not in response.content
    assert int(root.get("width", "0")) > 0
    assert int(root.get("height", "0")) > 0
    return root


def _parse(svg: bytes) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own server's chart, not untrusted input


def _texts(root: ET.Element) -> list[str]:
    return [e.text or "" for e in root.iter() if e.tag == f"{SVG}text"]


async def test_each_chart_is_an_svg_without_script(service: Service) -> None:
    svc = service
    await _seed(svc)
    page = (await _admin_page(svc, "?tz=Asia/Seoul")).text
    sources = _chart_sources(page)
    for name in CHARTS:
        assert "tz=Asia%2FSeoul" in sources[name]
        root = _svg(await svc.client.get(sources[name]))
        has_data = "No data for this period" not in _texts(root)
        assert has_data == (name != "sla"), name  # no SLA policy: nothing decided
    volume = _svg(await svc.client.get(sources["volume"]))
    assert {"Opened", "Resolved"} <= set(_texts(volume))
    first = _svg(await svc.client.get(sources["first_response"]))
    assert "minutes" in _texts(first)  # ten minutes: an axis in minutes


async def test_charts_of_an_empty_period_say_there_is_no_data(service: Service) -> None:
    svc = service
    await sign_in(svc.client, "admin@example.com")
    for name in CHARTS:
        root = _svg(await svc.client.get(f"/reports/charts/{name}.svg?interval=week"))
        assert "No data for this period" in _texts(root), name
    r = await svc.client.get("/reports/charts/pie.svg")
    assert r.status_code == 404
    r = await svc.client.get("/reports/charts/volume.svg?tz=Mars/Olympus")
    assert r.status_code == 422
    assert r.headers["content-type"] == "image/svg+xml"
    assert "unknown timezone 'Mars/Olympus'" in _texts(_parse(r.content))


async def test_csv_links_download_with_the_session_cookie(service: Service) -> None:
    svc = service
    conv_id = await _seed(svc)
    page = (await _admin_page(svc, "?group_by=channel&tz=Asia/Seoul")).text
    links = _links(page, "download")
    assert all(href.startswith("/api/v1/reports/") for href in links.values())
    assert "%2B09%3A00" in links["cycles"]  # local midnights with their offset, encoded

    summary = await svc.client.get(links["summary"])  # the cookie only: no bearer token
    assert summary.status_code == 200, summary.text
    assert summary.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(summary.text)))
    assert [(r["group"], r["cycles"]) for r in rows] == [("total", "1"), ("telegram", "1")]

    series = await svc.client.get(links["timeseries"])
    assert series.status_code == 200, series.text
    buckets = list(csv.DictReader(io.StringIO(series.text)))
    assert len(buckets) == 30  # the last 30 local days, one series for the one channel
    assert sum(int(b["cycles"]) for b in buckets) == 1

    cycles = await svc.client.get(links["cycles"])
    assert cycles.status_code == 200
    [row] = list(csv.DictReader(io.StringIO(cycles.text)))
    assert row["conversation_id"] == str(conv_id)
    assert row["csat_score"] == "4"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?tz=Mars/Olympus", "unknown timezone &#39;Mars/Olympus&#39;"),
        ("?from=2026-03-02&to=2026-03-01", "to must be after from"),
        ("?from=yesterday", "From: expected a date (YYYY-MM-DD)."),
        ("?account_id=abc", "Account: expected a number."),
        ("?group_by=planet", "Group by: not one of the choices."),
        ("?from=2000-01-01&to=2026-01-01", "at most 800 days per chart"),
        ("?to=9999-12-31", "the period is out of range."),
    ],
)
async def test_bad_input_is_shown_on_the_page(service: Service, query: str, message: str) -> None:
    r = await _admin_page(service, query)
    assert r.status_code == 422
    error = re.search(r'data-testid="report-error">([^<]*)</p>', r.text)
    assert error is not None, r.text
    assert error[1].startswith("This report cannot be shown:")
    assert message in error[1]
    assert 'data-testid="times-table"' not in r.text
    assert 'id="report-filters"' in r.text  # the form stays, to correct the field


async def test_the_form_keeps_what_was_asked(service: Service) -> None:
    svc = service
    r = await _admin_page(
        svc, "?from=2026-01-05&to=2026-02-01&tz=Europe/Moscow&channel=vk&interval=week&label=VIP"
    )
    assert r.status_code == 200, r.text
    page = r.text
    assert 'name="from" value="2026-01-05"' in page
    assert 'name="to" value="2026-02-01"' in page
    assert 'name="tz" value="Europe/Moscow"' in page
    assert '<option value="vk" selected>' in page
    assert '<option value="week" selected>' in page
    assert "2026-01-05 – 2026-02-01, Europe/Moscow" in page
    cycles = _links(page, "download")["cycles"]
    assert "from=2026-01-05T00%3A00%3A00%2B03%3A00" in cycles
    assert "to=2026-02-02T00%3A00%3A00%2B03%3A00" in cycles  # the last day included
    assert "label=vip" in cycles
    assert "channel=vk" in cycles
    assert _cell(page, "total", "cycles")[2] == "0"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("ru", ("<h1>Отчёты</h1>", "Время ответа и решения", "Ждут ответа", "10 мин")),
        ("ko", ("<h1>보고서</h1>", "응답 및 해결 시간", "답변 대기", "10분")),
    ],
)
async def test_the_page_speaks_russian_and_korean(
    service: Service, lang: str, words: tuple[str, ...]
) -> None:
    await _seed(service)
    page = (await _admin_page(service, "", **{"Accept-Language": f"{lang},en;q=0.5"})).text
    assert f'<html lang="{lang}">' in page
    for word in words:
        assert word in page, word
    chart = _chart_sources(page)["volume"]
    texts = _texts(
        _parse((await service.client.get(chart, headers={"Accept-Language": lang})).content)
    )
    assert i18n.catalog(lang)["reports.chart.opened"] in texts


async def test_the_page_has_no_inline_script_or_style(service: Service) -> None:
    await _seed(service)
    page = (await _admin_page(service, "?group_by=agent")).text
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page)


def test_every_reports_string_exists_in_every_language() -> None:
    english = {k for k in i18n.catalog("en") if k.startswith("reports.")}
    assert len(english) > 60
    for lang in ("ru", "ko"):
        own = {k for k, v in i18n.catalog(lang).items() if v and k.startswith("reports.")}
        assert english - own == set(), lang


@pytest.mark.parametrize(
    ("seconds", "lang", "text"),
    [
        (250, "en", "4 min 10 s"),
        (7500, "en", "2 h 5 min"),
        (3 * 86400 + 4 * 3600 + 59, "en", "3 d 4 h"),
        (3600, "en", "1 h"),
        (59.6, "en", "1 min"),
        (42, "en", "42 s"),
        (0.2, "en", "< 1 s"),
        (0, "en", "0 s"),
        (None, "en", "—"),
        (250, "ru", "4 мин 10 с"),
        (7500, "ko", "2시간 5분"),
    ],
)
def test_durations_read_as_words(seconds: float | None, lang: str, text: str) -> None:
    assert duration(seconds, i18n.Translator(lang)) == text
