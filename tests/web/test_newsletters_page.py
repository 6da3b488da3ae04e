"""The newsletters page: campaigns with the progress of a real run (people from the webhook,
subscribed, segmented and sent through the REST API, the dispatcher and the outbox sender),
the 80/20 warning, the Meta note, admins only, no inline script or style, three languages."""

from __future__ import annotations

import html
import re
import time
from typing import Any

import httpx
import pytest

from api.web import i18n
from api.web.pages_newsletters import bar
from inbox.newsletters.rows import Progress
from inbox.users.models import Role
from tests.newsletters.campaign_helpers import api, new_campaign, run
from tests.outbound.conftest import Service
from tests.outbound.conftest import service as service  # the fixture
from tests.support.factories import add_user, post_telegram
from tests.support.payloads import load_payload
from tests.support.probes import with_changes
from tests.web.browser import sign_in

# the page's rendering (campaigns are tested on both backends in tests/newsletters).
pytestmark = pytest.mark.one_backend

BLOCKED = "Forbidden: bot was blocked by the user"


def _dm(update_id: int, user_id: int) -> dict[str, Any]:
    return with_changes(
        load_payload("telegram", "message__dm_text"),
        **{
            "update_id": update_id,
            "message.message_id": update_id,
            "message.date": int(time.time()) - 60,
            "message.from.id": user_id,
            "message.chat.id": user_id,
        },
    )


async def _subscribers(svc: Service, n: int) -> list[int]:
    """``n`` people who wrote to the Telegram bot, then subscribed by the admin."""
    tg = svc.accounts["telegram"]["id"]
    for i in range(n):
        r = await post_telegram(svc.client, tg, _dm(9100 + i, 6100000000 + i))
        assert r.status_code == 200, r.text
    await svc.drain()
    contacts = sorted(c["contact"]["id"] for c in await svc.conversations(channel="telegram"))
    assert len(contacts) == n
    for contact_id in contacts:
        await api(svc, "PUT", f"/subscribers/{tg}/{contact_id}", json={"status": "subscribed"})
    return contacts


async def _sent_campaign(svc: Service) -> dict[str, Any]:
    """Three subscribers in a segment, the first send refused (bot blocked), run to the end."""
    await _subscribers(svc, 3)
    tg = svc.accounts["telegram"]["id"]
    seg = await api(
        svc, "POST", "/segments", 201, json={"name": "Everyone", "account_id": tg, "labels": []}
    )
    svc.tg.script(
        "sendMessage",
        status=403,
        body={"ok": False, "error_code": 403, "description": BLOCKED},
    )
    c = await new_campaign(svc, "telegram", text="Spring is here", segment_id=seg["id"])
    await api(svc, "POST", f"/campaigns/{c['id']}/send")
    done = await run(svc, c["id"])
    assert (done["progress"]["sent"], done["progress"]["failed"]) == (2, 1), done
    return done


async def _page(svc: Service, path: str = "/admin/newsletters", **headers: str) -> httpx.Response:
    await sign_in(svc.client, "admin@example.com")
    r = await svc.client.get(path, headers=headers)
    assert r.status_code == 200, r.text
    return r


def _row(page: str, campaign_id: int) -> str:
    found = re.search(
        rf'<tr data-testid="campaign-row" data-campaign-id="{campaign_id}".*?</tr>', page, re.S
    )
    assert found, page
    return found[0]


def _count(fragment: str, name: str) -> int:
    found = re.search(rf'data-count="{name}">(\d+)<', fragment)
    assert found, (name, fragment)
    return int(found[1])


async def test_an_admin_sees_campaigns_with_their_progress(service: Service) -> None:
    done = await _sent_campaign(service)
    draft = await new_campaign(service, "vk", text="Soon", tag="selling")
    page = (await _page(service)).text
    row = _row(page, done["id"])
    assert 'data-status="done"' in row
    assert 'data-testid="campaign-audience">3<' in row
    counts = {n: _count(row, n) for n in ("sent", "failed", "unsubscribed", "waiting", "audience")}
    assert counts == {"sent": 2, "failed": 1, "unsubscribed": 0, "waiting": 0, "audience": 3}
    assert re.search(r'data-part="sent" x="0(?:\.0)?" y="0" width="66.67"', row)
    assert re.search(r'data-part="failed" x="66.67" y="0" width="33.33"', row)
    assert "data-campaign-action" not in row  # a finished campaign has no actions
    draft_row = _row(page, draft["id"])
    for action in ("send", "cancel"):
        assert f'data-campaign-action="{action}"' in draft_row
    assert 'data-campaign-action="pause"' not in draft_row
    assert 'data-schedule-campaign="' in draft_row
    assert 'type="datetime-local"' in draft_row
    assert 'href="/admin/newsletters"' in page  # the top navigation
    assert 'data-testid="segment-form"' in page
    assert 'data-testid="campaign-form"' in page
    assert "Everyone" in page  # the segment, offered to the campaign form


async def test_the_campaign_page_lists_recipients_with_failure_reasons(service: Service) -> None:
    done = await _sent_campaign(service)
    page = (await _page(service, f"/admin/newsletters/{done['id']}")).text
    assert len(re.findall(r'data-testid="recipient-row"', page)) == 3
    assert html.escape(BLOCKED) in page
    assert _count(page, "sent") == 2
    failed = (await _page(service, f"/admin/newsletters/{done['id']}?status=failed")).text
    rows = re.findall(r'data-testid="recipient-row" data-status="(\w+)"', failed)
    assert rows == ["failed"]
    sent = (await _page(service, f"/admin/newsletters/{done['id']}?status=sent")).text
    assert re.findall(r'data-testid="recipient-row" data-status="(\w+)"', sent) == ["sent"] * 2
    assert BLOCKED not in sent
    r = await service.client.get("/admin/newsletters/99999", headers={"Accept": "text/html"})
    assert r.status_code == 404


async def test_a_live_campaign_is_polled_and_can_be_paused(service: Service) -> None:
    await _subscribers(service, 2)
    c = await new_campaign(service, "telegram", text="Now")
    await api(service, "POST", f"/campaigns/{c['id']}/send")
    page = (await _page(service)).text
    row = _row(page, c["id"])
    assert f'data-live-campaign="{c["id"]}"' in row
    assert (_count(row, "waiting"), _count(row, "audience")) == (2, 2)
    assert 'data-campaign-action="pause"' in row
    assert 'data-campaign-action="send"' not in row
    detail = (await _page(service, f"/admin/newsletters/{c['id']}")).text
    assert f'data-live-campaign="{c["id"]}"' in detail
    assert 'src="/static/newsletters.js' in detail


async def test_selling_share_above_a_fifth_is_warned(service: Service) -> None:
    await _subscribers(service, 1)
    tg, vk = service.accounts["telegram"]["id"], service.accounts["vk"]["id"]
    for tag in ("selling", "useful"):
        c = await new_campaign(service, "telegram", text="Buy", tag=tag)
        await api(service, "POST", f"/campaigns/{c['id']}/send")
    page = (await _page(service)).text
    rows = dict(
        re.findall(r'data-testid="share-row" data-account-id="(\d+)">(.*?)</tr>', page, flags=re.S)
    )
    assert 'data-testid="share-value">50 %' in rows[str(tg)]
    assert 'data-testid="share-warning"' in rows[str(tg)]
    assert 'data-testid="share-warning"' not in rows[str(vk)]


async def test_the_meta_note_for_facebook_accounts(service: Service) -> None:
    fb = service.accounts["facebook"]["id"]
    note = html.escape(i18n.catalog("en")["newsletters.meta_note"])
    c = await new_campaign(service, "facebook", text="Hi")
    tg = await new_campaign(service, "telegram", text="Hi")
    assert note in (await _page(service, f"/admin/newsletters/{c['id']}")).text
    assert note not in (await _page(service, f"/admin/newsletters/{tg['id']}")).text
    page = (await _page(service)).text
    form = re.search(r'data-meta-accounts="([\d,]*)"', page)
    assert form
    assert str(fb) in form[1].split(",")
    assert str(service.accounts["telegram"]["id"]) not in form[1].split(",")
    assert note in page


async def test_agents_get_403_and_no_link(service: Service) -> None:
    c = await new_campaign(service, "telegram", text="Hi")
    await add_user(service.rt, "agent@example.com", Role.AGENT)
    await sign_in(service.client, "agent@example.com")
    for path in ("/admin/newsletters", f"/admin/newsletters/{c['id']}"):
        r = await service.client.get(path, headers={"Accept": "text/html"})
        assert r.status_code == 403, path
    inbox = await service.client.get("/inbox")
    assert 'href="/admin/newsletters"' not in inbox.text
    service.client.cookies.clear()
    r = await service.client.get("/admin/newsletters")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/admin/newsletters"


async def test_no_inline_script_or_style(service: Service) -> None:
    done = await _sent_campaign(service)
    await new_campaign(service, "facebook", text='<b>x</b>" style=color:red')
    for path in ("/admin/newsletters", f"/admin/newsletters/{done['id']}"):
        page = (await _page(service, path)).text
        for tag in re.findall(r"<script\b[^>]*>", page):
            assert "src=" in tag or 'type="application/json"' in tag, tag
        assert not re.search(r"\sstyle=", page)
        assert not re.search(r"\son[a-z]+=", page)
        assert "<b>x</b>" not in page


async def test_the_page_speaks_russian_and_korean(service: Service) -> None:
    done = await _sent_campaign(service)
    for lang, words in (
        ("ru", ("Рассылки", "Отправлено", "Доля продающих", "Завершена")),
        ("ko", ("뉴스레터", "발송", "판매 비율", "완료")),
    ):
        page = (await _page(service, **{"Accept-Language": lang})).text
        assert f'<html lang="{lang}">' in page
        for word in words:
            assert word in page, (lang, word)
        detail = (
            await _page(service, f"/admin/newsletters/{done['id']}", **{"Accept-Language": lang})
        ).text
        assert i18n.catalog(lang)["newsletters.recipients.error"] in detail


def test_every_newsletters_string_exists_in_every_language() -> None:
    def keys(lang: str) -> set[str]:
        prefixes = ("newsletters.", "js.newsletters.", "nav.newsletters")
        return {k for k, v in i18n.catalog(lang).items() if v and k.startswith(prefixes)}

    assert keys("en") == keys("ru") == keys("ko")


def test_the_bar_counts_waiting_and_never_overflows() -> None:
    drawn = bar(
        Progress(audience=4, pending=1, queued=1, sent=1, failed=0, unsubscribed=1, cancelled=0)
    )
    assert drawn["counts"] == {"sent": 1, "failed": 0, "unsubscribed": 1, "waiting": 2}
    assert [(p["x"], p["width"]) for p in drawn["parts"]] == [
        (0, 25.0),
        (25.0, 0.0),
        (25.0, 25.0),
        (50.0, 50.0),
    ]
    empty = bar(
        Progress(audience=0, pending=0, queued=0, sent=0, failed=0, unsubscribed=0, cancelled=0)
    )
    assert all(p["width"] == 0 for p in empty["parts"])


async def test_every_opt_in_and_opt_out_is_listed_on_the_page_and_the_contact(
    service: Service,
) -> None:
    await _sent_campaign(service)  # three subscribed by the admin, one then blocked the bot
    page = (await _page(service)).text
    rows = re.findall(
        r'<tr data-testid="audit-row" data-action="(\w+)" data-contact-id="(\d+)"', page
    )
    assert sorted(action for action, _ in rows) == ["opt_in", "opt_in", "opt_in", "opt_out"]
    [gone] = [int(contact) for action, contact in rows if action == "opt_out"]
    assert "send_failure" in page
    assert html.escape(BLOCKED) in page  # the reason the platform gave
    panel = await service.client.get(f"/ui/contacts/{gone}")
    assert panel.status_code == 200, panel.text
    [status] = re.findall(r'data-testid="newsletter-subscription" data-status="(\w+)"', panel.text)
    assert status == "unsubscribed"
    ledger = re.findall(r'data-testid="ledger-entry" data-action="(\w+)"', panel.text)
    assert ledger == ["opt_out", "opt_in"]  # newest first
    assert "Opt-ins and opt-outs (2)" in panel.text
