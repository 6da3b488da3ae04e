"""The inbox pages agents work in, filled through real signed webhooks and read as a browser
would (session cookie): folders filter, the conversation shows its post, the comment each reply
answers, attachments through our own URLs only, delivery failures with their reasons, and
every piece of customer text escaped. Fragments (for live updates) answer the same markup."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from markupsafe import escape

from api.runtime import Runtime
from fakes import FakeTelegram
from inbox.users.models import Role
from tests.support.factories import (
    add_account,
    add_all_accounts,
    add_user,
    admin_headers,
    drain,
    login,
    post_telegram,
    post_vk,
)
from tests.support.fixtures import RuntimeFactory
from tests.support.payloads import load_payload
from tests.web.browser import page_csrf, sign_in

# the pages' rendering (search and lists are tested on both backends through the API).
pytestmark = pytest.mark.one_backend

BASE = 1737450000
XSS_TEXT = "<img src=x onerror=alert(1)>"
XSS_NAME = "<script>alert('name')</script>"
_ROW = re.compile(r'data-testid="conversation-row" data-conversation-id="(\d+)"')


def row_ids(page: str) -> list[int]:
    return [int(x) for x in _ROW.findall(page)]


@dataclass
class Desk:
    """An admin signed in through /login, all four accounts, and customers writing in."""

    client: httpx.AsyncClient
    rt: Runtime
    headers: dict[str, str]
    accounts: dict[str, dict[str, Any]]
    _updates: itertools.count[int] = field(default_factory=lambda: itertools.count(900_000_000))
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(7000))

    async def dm(
        self, customer: int, text: str = "Hello", *, first_name: str = "Customer", **extra: Any
    ) -> int:
        """A Telegram DM from ``customer`` through the webhook; returns its conversation id."""
        payload = load_payload("telegram", "message__dm_text")
        payload["update_id"] = next(self._updates)
        message = payload["message"]
        person = {
            "id": 6_100_000_000 + customer,
            "first_name": first_name,
            "last_name": f"{customer:02d}",
            "username": f"cust{customer:02d}",
        }
        message["from"].update(person)
        message["chat"].update(person)
        message.update(message_id=next(self._ids), date=BASE + next(self._ids), text=text)
        message.update(extra)
        if "photo" in extra or "document" in extra:
            message.pop("text")
        r = await post_telegram(self.client, self.accounts["telegram"]["id"], payload)
        assert r.status_code == 200, r.text
        await drain(self.rt)
        return await self.conversation_of(f"{first_name} {customer:02d}")

    async def conversation_of(self, name: str) -> int:
        r = await self.client.get("/api/v1/conversations", params={"q": name}, headers=self.headers)
        found = [c["id"] for c in r.json()["items"] if c["contact"]["display_name"] == name]
        assert len(found) == 1, r.json()
        return int(found[0])

    async def patch(self, conversation_id: int, **body: Any) -> None:
        r = await self.client.patch(
            f"/api/v1/conversations/{conversation_id}", json=body, headers=self.headers
        )
        assert r.status_code == 200, r.text

    async def folder(self, folder: str, **params: str) -> list[int]:
        r = await self.client.get("/inbox", params={"folder": folder, **params})
        assert r.status_code == 200, r.text
        return row_ids(r.text)


async def _desk(client: httpx.AsyncClient, rt: Runtime) -> Desk:
    headers = await admin_headers(client, rt)
    accounts = await add_all_accounts(client, headers)
    await sign_in(client, "admin@example.com")
    return Desk(client, rt, headers, accounts)


@pytest.fixture
async def desk(client: httpx.AsyncClient, runtime: Runtime) -> Desk:
    return await _desk(client, runtime)


class TestSignIn:
    async def test_signed_out_pages_redirect_and_fragments_answer_401(
        self, client: httpx.AsyncClient
    ) -> None:
        r = await client.get("/inbox", params={"folder": "mine"})
        assert r.status_code == 303
        assert r.headers["location"].startswith("/login?next=/inbox")
        r = await client.get("/inbox/conversations/1")
        assert r.status_code == 303
        assert r.headers["location"].startswith("/login")
        for path in ("/ui/inbox/list", "/ui/conversations/1/thread", "/ui/contacts/1"):
            assert (await client.get(path)).status_code == 401, path

    async def test_the_inbox_renders_with_strict_csp_and_no_inline_script(self, desk: Desk) -> None:
        await desk.dm(1, "Where is my order?")
        r = await desk.client.get("/inbox")
        assert r.status_code == 200
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        page = r.text
        assert "Where is my order?" in page
        assert "Customer 01" in page
        assert re.search(r"<script>(?!\s*$)", page) is None  # only src= and JSON data blocks
        assert " style=" not in page
        assert not re.search(r"\son[a-z]+=", page)
        assert 'data-me="' in page
        assert "inbox.js" in page
        assert "inbox.css" in page


class TestFolders:
    async def test_each_folder_filters(self, desk: Desk) -> None:
        agent = await add_user(desk.rt, "agent@example.com", Role.AGENT)
        mine = await desk.dm(1, "assigned to me")
        theirs = await desk.dm(2, "assigned to the agent")
        nobody = await desk.dm(3, "nobody has this one")
        done = await desk.dm(4, "solved already")
        r = await desk.client.post(
            "/api/v1/teams", json={"name": "Delivery", "member_ids": [agent]}, headers=desk.headers
        )
        team = r.json()["id"]
        me = (await desk.client.get("/api/v1/users", headers=desk.headers)).json()[0]["id"]
        await desk.patch(mine, assignee_id=me, labels=["vip"])
        await desk.patch(theirs, assignee_id=agent, team_id=team)
        await desk.patch(done, status="resolved")
        vk = desk.accounts["vk"]["id"]
        r = await post_vk(desk.client, vk, load_payload("vk", "message_new"))
        await drain(desk.rt)

        assert await desk.folder("mine") == [mine]
        assert set(await desk.folder("unassigned")) >= {nobody}
        assert mine not in await desk.folder("unassigned")
        assert theirs not in await desk.folder("unassigned")
        assert done not in await desk.folder("open")
        assert await desk.folder("resolved") == [done]
        assert await desk.folder(f"team:{team}") == [theirs]
        assert await desk.folder("label:vip") == [mine]
        telegram = await desk.folder("channel:telegram")
        vk_rows = await desk.folder("channel:vk")
        assert set(telegram) == {mine, theirs, nobody}
        assert len(vk_rows) == 1
        assert not set(vk_rows) & set(telegram)
        # non-status folders show open ones unless asked: the resolved DM is there with "all"
        assert done in await desk.folder("channel:telegram", status="all")
        assert await desk.folder("channel:telegram", status="resolved") == [done]
        # search by text, by name, inside a folder
        assert await desk.folder("open", q="nobody has") == [nobody]
        assert await desk.folder("open", q="Customer 02") == [theirs]
        assert await desk.folder("mine", q="nobody has") == []
        # the folder list names the team and the label, counts what is cheap
        page = (await desk.client.get("/inbox")).text
        assert f'data-folder="team:{team}"' in page
        assert 'data-folder="label:vip"' in page
        assert re.search(
            r'data-folder="mine"[^>]*>\s*<span>[^<]+</span><span class="count">1<', page
        )
        # unknown folders fall back to open rather than failing
        assert set(await desk.folder("label:")) == set(await desk.folder("open"))
        assert set(await desk.folder("bogus")) == set(await desk.folder("open"))

    async def test_unassigned_filter_on_the_api_and_previews(self, desk: Desk) -> None:
        me = (await desk.client.get("/api/v1/users", headers=desk.headers)).json()[0]["id"]
        first = await desk.dm(1, "first")
        second = await desk.dm(2, "second one")
        await desk.patch(first, assignee_id=me)
        r = await desk.client.get(
            "/api/v1/conversations", params={"unassigned": "true"}, headers=desk.headers
        )
        items = r.json()["items"]
        assert [c["id"] for c in items] == [second]
        assert items[0]["last_message"]["text"] == "second one"
        assert items[0]["last_message"]["direction"] == "in"

    async def test_load_more_pages_through_the_list(self, desk: Desk) -> None:
        ids = [await desk.dm(n, f"message {n}") for n in range(1, 6)]
        r = await desk.client.get("/ui/inbox/list", params={"folder": "open", "limit": 2})
        assert row_ids(r.text) == ids[::-1][:2]
        seen = row_ids(r.text)
        for _ in range(5):
            found = re.search(r'data-testid="load-more" data-cursor="([^"]+)"', r.text)
            if not found:
                break
            r = await desk.client.get(
                "/ui/inbox/list", params={"folder": "open", "limit": 2, "cursor": found[1]}
            )
            seen += row_ids(r.text)
        assert seen == ids[::-1]
        bad = await desk.client.get("/ui/inbox/list", params={"cursor": "nonsense"})
        assert bad.status_code == 400


class TestConversation:
    async def test_unknown_conversation_is_a_404_page(self, desk: Desk) -> None:
        r = await desk.client.get("/inbox/conversations/999999", headers={"Accept": "text/html"})
        assert r.status_code == 404
        assert "<html" in r.text
        assert (await desk.client.get("/ui/conversations/999999/thread")).status_code == 404

    async def test_a_comment_shows_its_post_and_the_comment_it_answers(self, desk: Desk) -> None:
        tg = desk.accounts["telegram"]["id"]
        comment = load_payload("telegram", "message__discussion_comment")
        await post_telegram(desk.client, tg, comment)
        reply = load_payload("telegram", "message__discussion_reply_to_comment")
        # the commenter answers their own first comment (so both are in one thread)
        reply["message"]["reply_to_message"] = {
            **comment["message"],
            "reply_to_message": None,
        }
        reply["message"]["reply_to_message"].pop("reply_to_message")
        await post_telegram(desk.client, tg, reply)
        await drain(desk.rt)
        r = await desk.client.get(
            "/api/v1/conversations", params={"kind": "comment"}, headers=desk.headers
        )
        [conv] = r.json()["items"]
        assert conv["post"] is not None
        page = (await desk.client.get(f"/inbox/conversations/{conv['id']}")).text
        assert 'data-testid="post"' in page
        if conv["post"]["text"]:
            assert str(escape(conv["post"]["text"])) in page
        if conv["post"]["url"]:
            assert 'rel="noopener noreferrer" target="_blank"' in page or (
                'target="_blank" rel="noopener noreferrer"' in page
            )
        quote = re.search(
            r'<blockquote class="quote" data-testid="quote">(.*?)</blockquote>', page, re.S
        )
        assert quote, page
        assert str(escape(comment["message"]["text"])) in quote[1]
        assert 'data-testid="mode-private-reply"' in page  # comments offer a private reply
        assert 'data-testid="moderate-delete"' in page

    async def test_attachments_go_through_our_own_urls_only(self, desk: Desk) -> None:
        photo = load_payload("telegram", "message__dm_photo")["message"]
        document = load_payload("telegram", "message__dm_document")["message"]
        conv = await desk.dm(1, first_name="Alina", photo=photo["photo"], caption="my order")
        await desk.dm(1, first_name="Alina", document=document["document"])
        page = (await desk.client.get(f"/inbox/conversations/{conv}")).text
        r = await desk.client.get(f"/api/v1/conversations/{conv}/messages", headers=desk.headers)
        [with_photo, with_doc] = [m for m in r.json()["items"] if m["attachments"]]
        assert f'<img src="/api/v1/messages/{with_photo["id"]}/attachments/0"' in page
        assert f'href="/api/v1/messages/{with_doc["id"]}/attachments/0" download' in page
        assert "invoice_A-1043.pdf" in page
        assert "47.1 KB" in page
        srcs = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert all(not s.startswith(("http:", "https:", "//")) for s in srcs), srcs
        assert photo["photo"][-1]["file_id"] not in page  # platform file ids never reach the page

    async def test_customer_text_and_names_are_escaped_everywhere(self, desk: Desk) -> None:
        conv = await desk.dm(1, XSS_TEXT, first_name=XSS_NAME)
        await desk.patch(conv, labels=["<b>x</b>"])
        urls = [
            "/inbox",
            f"/inbox/conversations/{conv}",
            "/ui/inbox/list",
            f"/ui/conversations/{conv}/thread",
            "/ui/inbox/folders",
        ]
        r = await desk.client.get("/api/v1/conversations", headers=desk.headers)
        contact_id = r.json()["items"][0]["contact"]["id"]
        urls.append(f"/ui/contacts/{contact_id}")
        for url in urls:
            body = (await desk.client.get(url)).text
            assert XSS_NAME not in body, url
            assert XSS_TEXT not in body, url
            assert "<b>x</b>" not in body, url
        page = (await desk.client.get(f"/inbox/conversations/{conv}")).text
        assert str(escape(XSS_TEXT)) in page
        assert str(escape(XSS_NAME)) in page
        assert "&lt;b&gt;x&lt;/b&gt;" in page

    async def test_a_note_and_a_queued_reply_as_the_composer_posts_them(self, desk: Desk) -> None:
        conv = await desk.dm(1, "hi")
        token = await page_csrf(desk.client)
        headers = {"X-CSRF-Token": token, "Idempotency-Key": "composer-1"}
        url = f"/api/v1/conversations/{conv}/messages"
        first = await desk.client.post(url, json={"text": "On its way"}, headers=headers)
        again = await desk.client.post(url, json={"text": "On its way"}, headers=headers)
        assert first.status_code == again.status_code == 201
        assert first.json()["id"] == again.json()["id"]  # a double click sends once
        note = await desk.client.post(
            url, json={"text": "call them back", "private": True}, headers={"X-CSRF-Token": token}
        )
        assert note.status_code == 201
        thread = (await desk.client.get(f"/ui/conversations/{conv}/thread")).text
        assert thread.count("On its way") == 1
        assert re.search(r'class="msg out agent"[^>]*data-delivery="queued"', thread)
        assert re.search(r'class="msg note"[^>]*>.*?call them back', thread, re.S)
        rows = (await desk.client.get("/ui/inbox/list")).text
        assert "call them back" in rows  # the list previews the latest message

    async def test_rule_traces_render_on_demand(self, desk: Desk) -> None:
        rule = {
            "name": "<Label> orders",
            "mode": "monitor",
            "when": "message_received",
            "if": {"text_has_any": ["order"]},
            "then": [{"add_label": ["orders"]}],
        }
        r = await desk.client.post("/api/v1/rules", json=rule, headers=desk.headers)
        assert r.status_code in (200, 201), r.text
        conv = await desk.dm(1, "my order please")
        r = await desk.client.get(f"/api/v1/conversations/{conv}/messages", headers=desk.headers)
        message_id = r.json()["items"][0]["id"]
        page = (await desk.client.get(f"/inbox/conversations/{conv}")).text
        assert f'data-traces="{message_id}"' in page
        traces = (await desk.client.get(f"/ui/messages/{message_id}/rule-traces")).text
        assert "&lt;Label&gt; orders" in traces
        assert "<Label>" not in traces
        assert "add_labels" in traces or "add_label" in traces


async def test_delivery_failure_reasons_are_shown(runtime_with: RuntimeFactory) -> None:
    async with FakeTelegram() as tg, runtime_with(telegram_api_base=tg.base_url) as (rt, client):
        headers = await admin_headers(client, rt)
        await add_account(client, headers, "telegram")
        await sign_in(client, "admin@example.com")
        desk = Desk(
            client,
            rt,
            headers,
            {"telegram": (await client.get("/api/v1/accounts", headers=headers)).json()[0]},
        )
        conv = await desk.dm(1, "hello?")
        tg.script_error("sendMessage", 403, "Forbidden: bot was blocked by the user")
        r = await client.post(
            f"/api/v1/conversations/{conv}/messages", json={"text": "Hi!"}, headers=headers
        )
        assert r.status_code == 201
        await rt.make_sender().run_once()
        page = (await client.get(f"/inbox/conversations/{conv}")).text
        failed = re.search(
            r'data-testid="delivery" data-status="failed">.*?data-testid="delivery-error">([^<]+)<',
            page,
            re.S,
        )
        assert failed
        assert "blocked" in failed[1]
        assert "Not delivered" in page


async def test_agents_see_the_inbox_in_their_language(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await add_user(runtime, "agent@example.com", Role.AGENT)
    await sign_in(client, "agent@example.com")
    await login(client, "agent@example.com")
    for lang, word in (("ru", "Входящие"), ("ko", "받은편지함"), ("en", "Inbox")):
        client.cookies.set("omnibox_lang", lang)
        r = await client.get("/inbox")
        assert r.status_code == 200, lang
        assert word in r.text, lang
