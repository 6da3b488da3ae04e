"""The admin pages: who may see them, what they show (escaped), and the REST writes their
script makes with the session cookie (CSRF-checked; deactivation signs a user out)."""

from __future__ import annotations

import html
import json
import re

import httpx
import pytest

from api.runtime import Runtime
from api.web import i18n
from api.web.cookies import PLAIN_NAME
from inbox.canned.models import CannedReply
from inbox.users.models import Role
from tests.support.factories import (
    VK_GROUP,
    add_account,
    add_all_accounts,
    add_user,
    admin_headers,
)
from tests.support.fixtures import RuntimeFactory
from tests.support.units import orm_session
from tests.web.browser import page_csrf, sign_in

# the pages' rendering and forms.
pytestmark = pytest.mark.one_backend

PAGES = ("/admin/accounts", "/admin/people", "/admin/rules", "/admin/canned-replies")
EVIL = "<script>alert(1)</script>"
RULE = {
    "name": "Delivery questions",
    "mode": "monitor",
    "when": "message_received",
    "if": {"all": [{"channel": "vk"}, {"text_has_any": ["доставка"]}]},
    "then": [{"add_label": ["delivery"]}],
}


async def _admin(client: httpx.AsyncClient, rt: Runtime) -> dict[str, str]:
    """An admin with a bearer token (for set-up) and a signed-in browser session."""
    headers = await admin_headers(client, rt)
    await sign_in(client, "admin@example.com")
    return headers


async def _cookie_write(
    client: httpx.AsyncClient, method: str, url: str, **kwargs: object
) -> httpx.Response:
    """A write as admin.js makes it: the session cookie plus the page's CSRF header."""
    extra = kwargs.pop("headers", None) or {}
    assert isinstance(extra, dict)
    headers = {**extra, "X-CSRF-Token": await page_csrf(client)}
    return await client.request(method, url, headers=headers, **kwargs)  # type: ignore[arg-type]


class TestAccess:
    async def test_an_admin_sees_every_admin_page(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        await _admin(client, runtime)
        for path in PAGES:
            r = await client.get(path)
            assert r.status_code == 200, (path, r.text)
            assert f'href="{path}" aria-current="page"' in r.text
            assert "admin.js" in r.text
            assert "admin.css" in r.text
            assert "content-security-policy" in r.headers

    async def test_an_agent_gets_403_on_every_admin_page(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        await add_user(runtime, "agent@example.com", Role.AGENT)
        await sign_in(client, "agent@example.com")
        for path in PAGES:
            r = await client.get(path, headers={"Accept": "text/html"})
            assert r.status_code == 403, path
            assert 'href="/admin/rules"' not in r.text  # no admin links for an agent

    async def test_signed_out_goes_to_the_sign_in_page(self, client: httpx.AsyncClient) -> None:
        for path in PAGES:
            r = await client.get(path)
            assert r.status_code == 303
            assert r.headers["location"] == "/login?next=" + path

    async def test_pages_carry_no_inline_script_or_style(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await _admin(client, runtime)
        await add_all_accounts(client, headers)
        for path in PAGES:
            text = (await client.get(path)).text
            for tag in re.findall(r"<script\b[^>]*>", text):
                assert "src=" in tag or 'type="application/json"' in tag, tag
            assert not re.search(r"\sstyle=", text)
            assert not re.search(r"\son[a-z]+=", text)


class TestAccountsPage:
    async def test_lists_accounts_with_webhook_urls_and_setup_steps(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await _admin(client, runtime)
        accounts = await add_all_accounts(client, headers)
        text = (await client.get("/admin/accounts")).text
        tg, vk = accounts["telegram"], accounts["vk"]
        # No PUBLIC_URL: the API's relative URL, shown on the host the page was opened on.
        assert tg["webhook_url"] == f"/webhooks/telegram/{tg['id']}"
        assert f"http://omnibox.test/webhooks/telegram/{tg['id']}" in text
        assert f"http://omnibox.test/webhooks/vk/{vk['id']}" in text
        assert "http://omnibox.test/webhooks/facebook" in text
        assert 'id="public-url-hint"' in text
        assert "setWebhook" in text
        assert "allowed_updates" in text
        assert "5.199" in text
        assert "wall_reply_new" in text
        assert "message_new" in text
        assert "OMNIBOX_FACEBOOK_VERIFY_TOKEN" in text
        assert "messaging_postbacks" in text
        assert str(VK_GROUP) in text
        for secret in ("vk-token", "fb-page-token", "exampleCallbackSecret42", "a1b2c3d4"):
            assert secret not in text
        for channel in ("telegram", "vk", "facebook", "instagram"):
            assert f'data-testid="add-account-{channel}"' in text
        assert text.count('data-testid="account-row"') == 4

    async def test_with_public_url_the_urls_are_public_and_no_hint(
        self, runtime_with: RuntimeFactory
    ) -> None:
        async with runtime_with(public_url="https://inbox.example.com") as (rt, client):
            headers = await _admin(client, rt)
            vk = await add_account(client, headers, "vk")
            text = (await client.get("/admin/accounts")).text
            assert f"https://inbox.example.com/webhooks/vk/{vk['id']}" in text
            assert "http://omnibox.test/webhooks" not in text
            assert 'id="public-url-hint"' not in text

    async def test_an_account_name_is_escaped(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await _admin(client, runtime)
        await add_account(client, headers, "vk", name=EVIL)
        for path in ("/admin/accounts", "/admin/rules"):
            text = (await client.get(path)).text
            assert EVIL not in text
            assert html.escape(EVIL, quote=False) in text

    async def test_adding_an_account_with_the_cookie_needs_the_csrf_header(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        await _admin(client, runtime)
        body = {
            "channel": "facebook",
            "name": "Brand page 7",
            "page_id": "123",
            "token": "t",
            "allow_human_agent": False,
        }
        refused = await client.post("/api/v1/accounts", json=body)
        assert refused.status_code == 403
        assert "CSRF" in refused.json()["detail"]
        wrong = await client.post(
            "/api/v1/accounts", json=body, headers={"X-CSRF-Token": "not-the-token"}
        )
        assert wrong.status_code == 403
        cross = await client.post(
            "/api/v1/accounts",
            json=body,
            headers={"X-CSRF-Token": await page_csrf(client), "Origin": "https://evil.example"},
        )
        assert cross.status_code == 403
        assert "Brand page 7" not in (await client.get("/admin/accounts")).text
        made = await _cookie_write(client, "POST", "/api/v1/accounts", json=body)
        assert made.status_code == 201, made.text
        assert 'class="account-name">Brand page 7<' in (await client.get("/admin/accounts")).text


class TestPeoplePage:
    async def test_users_and_teams_are_listed_and_names_escaped(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await _admin(client, runtime)
        agent = await add_user(runtime, "olga@example.com", Role.AGENT)
        r = await client.patch(f"/api/v1/users/{agent}", json={"name": EVIL}, headers=headers)
        assert r.status_code == 200
        r = await client.post(
            "/api/v1/teams", json={"name": "Доставка", "member_ids": [agent]}, headers=headers
        )
        team = r.json()
        text = (await client.get("/admin/people")).text
        assert "olga@example.com" in text
        assert "admin@example.com" in text
        assert EVIL not in text
        assert html.escape(EVIL, quote=False) in text
        assert f'id="team-{team["id"]}"' in text
        assert 'value="Доставка"' in text
        assert f'name="member_ids" value="{agent}" data-type="ids" checked' in text
        assert text.count('data-testid="user-row"') == 2
        # The admin's own row offers no way to disable or demote themselves.
        assert text.count('data-testid="user-deactivate"') == 1

    async def test_deactivating_an_agent_ends_their_web_sessions(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        await add_user(runtime, "admin@example.com", Role.ADMIN)
        agent = await add_user(runtime, "agent@example.com", Role.AGENT)
        await sign_in(client, "agent@example.com")
        agent_cookie = client.cookies.get(PLAIN_NAME)
        assert (await client.get("/api/v1/users")).status_code == 200
        await sign_in(client, "admin@example.com")
        admin_cookie = client.cookies.get(PLAIN_NAME)
        r = await _cookie_write(
            client, "PATCH", f"/api/v1/users/{agent}", json={"is_active": False}
        )
        assert r.status_code == 200
        assert r.json()["is_active"] is False
        r = await _cookie_write(client, "PATCH", f"/api/v1/users/{agent}", json={"is_active": True})
        assert r.json()["is_active"] is True  # reactivated: the old session stays ended
        client.cookies.clear()
        client.cookies.set(PLAIN_NAME, agent_cookie or "")
        assert (await client.get("/api/v1/users")).status_code == 401
        assert (await client.get("/admin/people")).status_code == 303  # to the sign-in page
        client.cookies.set(PLAIN_NAME, admin_cookie or "")
        assert (await client.get("/admin/people")).status_code == 200  # the admin's is intact

    async def test_a_new_password_ends_sessions_and_works(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await admin_headers(client, runtime)
        agent = await add_user(runtime, "agent@example.com", Role.AGENT)
        await sign_in(client, "agent@example.com")
        assert (await client.get("/api/v1/users")).status_code == 200
        r = await client.patch(
            f"/api/v1/users/{agent}", json={"password": "brand-new-pass"}, headers=headers
        )
        assert r.status_code == 200
        assert (await client.get("/api/v1/users")).status_code == 401
        await sign_in(client, "agent@example.com", "brand-new-pass")
        assert (await client.get("/api/v1/users")).status_code == 200
        r = await client.patch(f"/api/v1/users/{agent}", json={"name": "Olga"}, headers=headers)
        assert (await client.get("/api/v1/users")).status_code == 200  # a rename signs no one out

    async def test_team_writes_from_the_page(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        await _admin(client, runtime)
        agent = await add_user(runtime, "a@example.com", Role.AGENT)
        r = await _cookie_write(
            client, "POST", "/api/v1/teams", json={"name": "Support", "member_ids": [agent]}
        )
        assert r.status_code == 201
        team = r.json()
        dup = await _cookie_write(client, "POST", "/api/v1/teams", json={"name": "support"})
        assert dup.status_code == 409
        assert "exists" in dup.json()["detail"]
        r = await _cookie_write(
            client, "PATCH", f"/api/v1/teams/{team['id']}", json={"name": "Help", "member_ids": []}
        )
        assert r.json() == {"id": team["id"], "name": "Help", "member_ids": []}
        text = (await client.get("/admin/people")).text
        assert 'value="Help"' in text
        assert 'value="Support"' not in text
        assert (
            await _cookie_write(client, "DELETE", f"/api/v1/teams/{team['id']}")
        ).status_code == 204
        assert 'id="no-teams"' in (await client.get("/admin/people")).text


class TestRulesPage:
    async def test_rules_in_order_with_summary_and_yaml(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await _admin(client, runtime)
        first = await client.post("/api/v1/rules", json=RULE, headers=headers)
        second = await client.post(
            "/api/v1/rules", json={**RULE, "name": EVIL, "mode": "off"}, headers=headers
        )
        assert first.status_code == second.status_code == 201
        text = (await client.get("/admin/rules")).text
        assert text.index('id="rule-' + str(first.json()["id"])) < text.index(
            'id="rule-' + str(second.json()["id"])
        )
        assert "Delivery questions" in text
        assert "text_has_any: [доставка]" in text
        assert "add_label: [delivery]" in text
        assert "badge mode-monitor" in text
        assert "badge mode-off" in text
        assert EVIL not in text
        assert html.escape(EVIL, quote=False) in text
        assert "name: Delivery questions" in text  # the YAML editor's text
        assert "mode: &#39;off&#39;" in text  # quoted: YAML 1.1 would read a bare off as false
        data = re.search(r'<script type="application/json" id="rules-data">(.*?)</script>', text)
        assert data is not None
        definitions = json.loads(data[1])
        assert definitions[str(second.json()["id"])]["name"] == EVIL
        assert "<script>" not in data[1]  # tojson escapes < inside the data block

    async def test_a_rule_saved_as_yaml_from_the_editor(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        await _admin(client, runtime)
        yaml_type = {"Content-Type": "application/yaml; charset=utf-8"}
        token = await page_csrf(client, "/admin/rules")
        made = await client.post(
            "/api/v1/rules",
            content="name: Привет\nwhen: message_received\nthen:\n  - add_label: [hello]\n",
            headers={**yaml_type, "X-CSRF-Token": token},
        )
        assert made.status_code == 201, made.text
        rule_id = made.json()["id"]
        bad = await client.put(
            f"/api/v1/rules/{rule_id}",
            content="name: Привет\nwhen: message_received\nthen:\n  - add_lable: [x]\n",
            headers={**yaml_type, "X-CSRF-Token": token},
        )
        assert bad.status_code == 422
        assert bad.json()["detail"]["errors"][0]["path"].startswith("then")
        broken = await client.put(
            f"/api/v1/rules/{rule_id}",
            content="name: [unclosed\n",
            headers={**yaml_type, "X-CSRF-Token": token},
        )
        assert broken.status_code == 422
        listed = await client.put(
            f"/api/v1/rules/{rule_id}",
            content="- a\n",
            headers={**yaml_type, "X-CSRF-Token": token},
        )
        assert listed.status_code == 422
        ok = await client.put(
            f"/api/v1/rules/{rule_id}",
            content="name: Привет\nmode: off\nwhen: message_received\nthen:\n  - add_label: [hi]\n",
            headers={**yaml_type, "X-CSRF-Token": token},
        )
        assert ok.status_code == 200
        assert ok.json()["mode"] == "off"
        no_csrf = await client.put(
            f"/api/v1/rules/{rule_id}", content="name: x\n", headers=yaml_type
        )
        assert no_csrf.status_code == 403
        assert "add_label: [hi]" in (await client.get("/admin/rules")).text

    async def test_reorder_export_import_and_test_from_the_page(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await _admin(client, runtime)
        a = (await client.post("/api/v1/rules", json=RULE, headers=headers)).json()["id"]
        b = (
            await client.post("/api/v1/rules", json={**RULE, "name": "Second"}, headers=headers)
        ).json()["id"]
        r = await _cookie_write(client, "POST", "/api/v1/rules/reorder", json={"ids": [b, a]})
        assert [x["id"] for x in r.json()] == [b, a]
        text = (await client.get("/admin/rules")).text
        assert text.index(f'id="rule-{b}"') < text.index(f'id="rule-{a}"')
        exported = await client.get("/api/v1/rules/export")  # the page's download link
        assert exported.status_code == 200
        assert "Second" in exported.text
        r = await _cookie_write(
            client,
            "PUT",
            "/api/v1/rules/import",
            content=exported.text.replace("Second", "Imported"),
            headers={"Content-Type": "application/yaml"},
        )
        assert r.status_code == 200, r.text
        assert [x["name"] for x in r.json()] == ["Imported", "Delivery questions"]
        tried = await _cookie_write(
            client,
            "POST",
            "/api/v1/rules/test",
            json={"channel": "vk", "account_id": 0, "kind": "comment", "text": "Где доставка?"},
        )
        assert tried.status_code == 200
        assert [t["matched"] for t in tried.json()["trace"]] == [True, True]
        assert tried.json()["would_do"] == []  # monitor mode: traced, not done


class TestCannedPage:
    async def test_lists_canned_replies_escaped(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        await _admin(client, runtime)
        assert 'id="no-canned"' in (await client.get("/admin/canned-replies")).text
        async with orm_session(runtime) as session:
            session.add(CannedReply(short_code="hello", title="Greeting", text="Hi there!"))
            session.add(CannedReply(short_code="xss", title=EVIL, text=f"a {EVIL} b"))
        text = (await client.get("/admin/canned-replies")).text
        assert text.count('data-testid="canned-row"') == 2
        assert "/hello" in text
        assert "Greeting" in text
        assert "Hi there!" in text
        assert EVIL not in text
        assert html.escape(EVIL, quote=False) in text
        assert text.index("/hello") < text.index("/xss")
        assert 'data-api="POST /api/v1/canned-replies"' in text
        assert re.search(r'data-api="PUT /api/v1/canned-replies/\d+"', text)
        assert re.search(r'data-api="DELETE /api/v1/canned-replies/\d+"', text)


class TestTranslations:
    def test_every_admin_string_exists_in_every_language(self) -> None:
        english = {k for k in i18n.catalog("en") if k.startswith(("admin.", "js.admin."))}
        assert len(english) > 100
        for lang in ("ru", "ko"):
            own = {k for k, v in i18n.catalog(lang).items() if v}
            assert english - own == set(), lang

    @pytest.mark.parametrize(("lang", "word"), [("ru", "Аккаунты"), ("ko", "계정")])
    async def test_pages_speak_the_chosen_language(
        self, client: httpx.AsyncClient, runtime: Runtime, lang: str, word: str
    ) -> None:
        await _admin(client, runtime)
        client.cookies.set("omnibox_lang", lang)
        text = (await client.get("/admin/accounts")).text
        assert f"<h1>{word}</h1>" in text
        bundle = re.search(r'<script type="application/json" id="i18n">(.*?)</script>', text)
        assert bundle is not None
        strings = json.loads(bundle[1])
        assert strings["js.admin.copied"] == i18n.catalog(lang)["js.admin.copied"]
        assert all(k.startswith("js.admin.") for k in strings)

    async def test_the_script_and_styles_are_served(self, client: httpx.AsyncClient) -> None:
        for name in ("admin.js", "admin.css"):
            r = await client.get(f"/static/{name}")
            assert r.status_code == 200
            assert len(r.content) > 500
        assert ".innerHTML" not in (await client.get("/static/admin.js")).text
