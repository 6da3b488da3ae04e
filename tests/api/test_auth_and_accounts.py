"""Bearer tokens, roles, connecting accounts (REST and CLI), and Telegram's setWebhook."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import func, select, update

from api.app import create_app
from api.runtime import Runtime
from fakes import FakeTelegram
from inbox import platforms
from inbox.accounts.models import Account
from inbox.types import utcnow
from inbox.users.models import Role, User
from inbox.users.security import create_token
from tests.support.backends import Backend
from tests.support.cli import Cli
from tests.support.factories import (
    ACCOUNT_BODIES,
    TG_SECRET,
    TG_TOKEN,
    VK_CONFIRMATION,
    VK_SECRET,
    add_account,
    add_user,
    admin_headers,
    login,
)
from tests.support.fixtures import RuntimeFactory, make_settings
from tests.support.payloads import load_payload
from tests.support.units import orm_session

SECRET_VALUES = [
    TG_TOKEN,
    TG_TOKEN.split(":", 1)[1],
    TG_SECRET,
    ACCOUNT_BODIES["vk"]["token"],
    VK_SECRET,
    VK_CONFIRMATION,
    ACCOUNT_BODIES["facebook"]["token"],
    ACCOUNT_BODIES["instagram"]["token"],
]


def _assert_no_secrets(text: str) -> None:
    leaked = [s for s in SECRET_VALUES if s in text]
    assert not leaked, f"response carries secrets {leaked}: {text}"


async def _account_count(rt: Runtime) -> int:
    async with orm_session(rt) as session:
        return int(await session.scalar(select(func.count()).select_from(Account)) or 0)


async def _secret_key(rt: Runtime) -> str:
    return await rt.signing_key()


# --- tokens ------------------------------------------------------------------------------


class TestToken:
    async def test_right_password_gives_a_working_bearer(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        user_id = await add_user(runtime, "agent@example.com", Role.AGENT, "correct-horse")
        r = await client.post(
            "/api/v1/auth/token", json={"email": "agent@example.com", "password": "correct-horse"}
        )
        assert r.status_code == 200
        body = r.json()
        assert body["token_type"] == "bearer"
        claims = jwt.decode(body["access_token"], await _secret_key(runtime), algorithms=["HS256"])
        assert claims["sub"] == str(user_id)
        assert claims["exp"] - claims["iat"] == runtime.settings.token_ttl_minutes * 60
        me = await client.get(
            "/api/v1/users/me", headers={"Authorization": f"Bearer {body['access_token']}"}
        )
        assert me.status_code == 200
        assert me.json() == {
            "id": user_id,
            "email": "agent@example.com",
            "name": "",
            "role": "agent",
        }

    async def test_email_is_matched_case_insensitively(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        await add_user(runtime, "Agent@Example.com", Role.AGENT)
        headers = await login(client, "  AGENT@example.COM ")
        assert (await client.get("/api/v1/users/me", headers=headers)).json()["email"] == (
            "agent@example.com"
        )

    async def test_wrong_password_and_unknown_email_look_the_same(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        await add_user(runtime, "agent@example.com", Role.AGENT, "correct-horse")
        wrong = await client.post(
            "/api/v1/auth/token", json={"email": "agent@example.com", "password": "wrong-horse"}
        )
        unknown = await client.post(
            "/api/v1/auth/token", json={"email": "nobody@example.com", "password": "correct-horse"}
        )
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json() == unknown.json() == {"detail": "wrong email or password"}
        assert "access_token" not in wrong.text

    async def test_deactivated_user_cannot_log_in_or_use_an_old_token(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        user_id = await add_user(runtime, "agent@example.com", Role.AGENT)
        headers = await login(client, "agent@example.com")
        async with orm_session(runtime) as session:
            await session.execute(update(User).where(User.id == user_id).values(is_active=False))
        r = await client.post(
            "/api/v1/auth/token", json={"email": "agent@example.com", "password": "password-123"}
        )
        assert r.status_code == 401
        assert r.json() == {"detail": "wrong email or password"}
        assert (await client.get("/api/v1/users/me", headers=headers)).status_code == 401

    async def test_password_is_never_echoed_in_an_error(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        password = "Sup3r-Secret-Passw0rd"
        for body in (
            {"emial": "agent@example.com", "password": password},  # a typo in a field name
            {"email": "a", "password": password},
            {"email": "agent@example.com", "password": password * 100},
        ):
            r = await client.post("/api/v1/auth/token", json=body)
            assert r.status_code == 422
            assert password not in r.text


def _protected_operations(rt: Runtime) -> list[tuple[str, str]]:
    app = create_app(rt.settings, runtime=rt)
    ops = [
        (method.upper(), path.replace("{conversation_id}", "1").replace("{dead_id}", "1"))
        for path, methods in app.openapi()["paths"].items()
        if path.startswith("/api/v1/") and path != "/api/v1/auth/token"
        for method in methods
    ]
    assert len(ops) >= 9, ops  # the test must see the real routes
    return ops


class TestBearerRequired:
    async def test_every_api_route_refuses_a_missing_or_bad_bearer(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        user_id = await add_user(runtime, "admin@example.com", Role.ADMIN)
        key = await _secret_key(runtime)
        now = utcnow()
        bad: dict[str, dict[str, str]] = {
            "none": {},
            "garbage": {"Authorization": "Bearer not-a-jwt"},
            "empty": {"Authorization": "Bearer "},
            "basic": {"Authorization": "Basic YWRtaW46cGFzc3dvcmQtMTIz"},
            "expired": {"Authorization": f"Bearer {create_token(user_id, key, -1)}"},
            "other-key": {
                "Authorization": f"Bearer {create_token(user_id, 'another-secret-key' * 3, 60)}"
            },
            "no-exp": {
                "Authorization": "Bearer " + jwt.encode({"sub": str(user_id)}, key, "HS256")
            },
            "alg-none": {
                "Authorization": "Bearer "
                + jwt.encode({"sub": str(user_id), "exp": now + timedelta(hours=1)}, None, "none")
            },
            "unknown-user": {"Authorization": f"Bearer {create_token(user_id + 99, key, 60)}"},
            "bad-sub": {
                "Authorization": "Bearer "
                + jwt.encode({"sub": "admin", "exp": now + timedelta(hours=1)}, key, "HS256")
            },
        }
        answers = {
            (method, path, name): (
                await client.request(method, path, headers=headers, json={})
            ).status_code
            for method, path in _protected_operations(runtime)
            for name, headers in bad.items()
        }
        assert answers == dict.fromkeys(answers, 401)
        r = await client.get("/api/v1/accounts")
        assert r.headers["www-authenticate"] == "Bearer"
        # The control: the same routes with a good token are not 401.
        good = {"Authorization": f"Bearer {create_token(user_id, key, 60)}"}
        assert (await client.get("/api/v1/users/me", headers=good)).status_code == 200
        assert (await client.get("/api/v1/accounts", headers=good)).status_code == 200

    async def test_admin_only_routes_answer_agents_403(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        await add_user(runtime, "agent@example.com", Role.AGENT)
        agent = await login(client, "agent@example.com")
        calls: list[tuple[str, str, Any]] = [
            ("POST", "/api/v1/accounts", ACCOUNT_BODIES["telegram"]),
            ("GET", "/api/v1/dead-letters", None),
            ("POST", "/api/v1/dead-letters/replay", {"ids": [1]}),
            ("POST", "/api/v1/dead-letters/1/replay", None),
        ]
        for method, path, body in calls:
            r = await client.request(method, path, json=body, headers=agent)
            assert r.status_code == 403, (method, path, r.text)
            assert r.json() == {"detail": "admin only"}
        assert await _account_count(runtime) == 0
        # What agents may do.
        assert (await client.get("/api/v1/accounts", headers=agent)).status_code == 200
        assert (await client.get("/api/v1/conversations", headers=agent)).status_code == 200


# --- accounts over REST ------------------------------------------------------------------


EXPECTED_EXTERNAL = {
    "telegram": TG_TOKEN.split(":", 1)[0],
    "vk": str(ACCOUNT_BODIES["vk"]["group_id"]),
    "facebook": ACCOUNT_BODIES["facebook"]["page_id"],
    "instagram": ACCOUNT_BODIES["instagram"]["ig_user_id"],
}


class TestAccounts:
    async def test_each_channel_is_created_and_listed_without_secrets(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await admin_headers(client, runtime)
        created = {}
        for channel, body in ACCOUNT_BODIES.items():
            r = await client.post("/api/v1/accounts", json=body, headers=headers)
            assert r.status_code == 201, r.text
            _assert_no_secrets(r.text)
            data = r.json()
            assert {"id", "channel", "name", "webhook_url"} <= set(data)
            assert data["channel"] == channel
            assert data["name"] == body["name"]
            assert data["external_id"] == EXPECTED_EXTERNAL[channel]
            assert data["is_active"] is True
            created[channel] = data
        assert created["telegram"]["webhook_url"].endswith(
            f"/webhooks/telegram/{created['telegram']['id']}"
        )
        assert created["vk"]["webhook_url"].endswith(f"/webhooks/vk/{created['vk']['id']}")
        assert created["facebook"]["webhook_url"].endswith("/webhooks/facebook")
        assert created["instagram"]["webhook_url"].endswith("/webhooks/facebook")
        assert created["telegram"]["webhook_registered"] is False  # no public URL to register
        assert len({c["id"] for c in created.values()}) == 4

        listed = await client.get("/api/v1/accounts", headers=headers)
        assert listed.status_code == 200
        _assert_no_secrets(listed.text)
        assert [a["id"] for a in listed.json()] == [c["id"] for c in created.values()]
        assert {a["channel"] for a in listed.json()} == set(ACCOUNT_BODIES)

    async def test_webhook_url_uses_the_public_url(self, runtime_with: RuntimeFactory) -> None:
        async with runtime_with(public_url="https://inbox.example.com/") as (rt, client):
            headers = await admin_headers(client, rt)
            vk = await add_account(client, headers, "vk")
            fb = await add_account(client, headers, "facebook")
        assert vk["webhook_url"] == f"https://inbox.example.com/webhooks/vk/{vk['id']}"
        assert fb["webhook_url"] == "https://inbox.example.com/webhooks/facebook"

    @pytest.mark.parametrize(
        ("channel", "change", "loc", "error"),
        [
            ("telegram", {"token": "not-a-token"}, "token", "string_pattern_mismatch"),
            ("telegram", {"token": "123:abc def"}, "token", "string_pattern_mismatch"),
            (
                "telegram",
                {"webhook_secret": "has space!"},
                "webhook_secret",
                "string_pattern_mismatch",
            ),
            (
                "telegram",
                {"webhook_secret": "x" * 257},
                "webhook_secret",
                "string_pattern_mismatch",
            ),
            ("telegram", {"webhook_secret": None}, "webhook_secret", "missing"),
            ("vk", {"secret": None}, "secret", "missing"),
            ("vk", {"secret": ""}, "secret", "string_too_short"),
            ("vk", {"confirmation_code": None}, "confirmation_code", "missing"),
            ("vk", {"group_id": -5}, "group_id", "greater_than"),
            ("facebook", {"page_id": "my-page"}, "page_id", "string_pattern_mismatch"),
            ("instagram", {"ig_user_id": None}, "ig_user_id", "missing"),
            ("facebook", {"name": "   "}, "name", "string_too_short"),
            ("facebook", {"surprise": 1}, "surprise", "extra_forbidden"),
            ("vk", {"webhook_secret": "abc"}, "webhook_secret", "extra_forbidden"),
        ],
        ids=lambda v: v if isinstance(v, str) else None,
    )
    async def test_invalid_input_is_422_naming_the_field(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        channel: str,
        change: dict[str, Any],
        loc: str,
        error: str,
    ) -> None:
        headers = await admin_headers(client, runtime)
        body = {**ACCOUNT_BODIES[channel], **change}
        body = {k: v for k, v in body.items() if v is not None}
        r = await client.post("/api/v1/accounts", json=body, headers=headers)
        assert r.status_code == 422
        [problem] = r.json()["detail"]
        assert problem["loc"] == ["body", channel, loc]
        assert problem["type"] == error
        assert problem["msg"]
        _assert_no_secrets(r.text)
        assert await _account_count(runtime) == 0

    @pytest.mark.parametrize(
        ("channel", "error"), [("whatsapp", "union_tag_invalid"), (None, "union_tag_not_found")]
    )
    async def test_unknown_or_missing_channel_is_422_listing_the_channels(
        self, client: httpx.AsyncClient, runtime: Runtime, channel: str | None, error: str
    ) -> None:
        headers = await admin_headers(client, runtime)
        body = {**ACCOUNT_BODIES["telegram"], "channel": channel}
        body = {k: v for k, v in body.items() if v is not None}
        r = await client.post("/api/v1/accounts", json=body, headers=headers)
        assert r.status_code == 422
        [problem] = r.json()["detail"]
        assert problem["type"] == error
        assert "channel" in problem["msg"]
        if channel:
            for known in ACCOUNT_BODIES:
                assert f"'{known}'" in problem["msg"]
        _assert_no_secrets(r.text)
        assert await _account_count(runtime) == 0

    @pytest.mark.parametrize("channel", list(ACCOUNT_BODIES))
    async def test_duplicate_account_is_409(
        self, client: httpx.AsyncClient, runtime: Runtime, channel: str
    ) -> None:
        headers = await admin_headers(client, runtime)
        await add_account(client, headers, channel)
        # Same platform id under another name and other credentials: still the same account.
        others: dict[str, dict[str, str]] = {
            "telegram": {
                "token": TG_TOKEN.split(":")[0] + ":OtherSecretPart",
                "webhook_secret": "b",
            },
            "vk": {"token": "another-token", "secret": "another", "confirmation_code": "zz"},
            "facebook": {"token": "another-token"},
            "instagram": {"token": "another-token"},
        }
        r = await client.post(
            "/api/v1/accounts",
            json={**ACCOUNT_BODIES[channel], "name": "Again", **others[channel]},
            headers=headers,
        )
        assert r.status_code == 409
        assert "exists" in r.json()["detail"]
        _assert_no_secrets(r.text)
        assert await _account_count(runtime) == 1

    async def test_register_webhook_without_public_url_is_422_and_creates_nothing(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = await admin_headers(client, runtime)
        r = await client.post(
            "/api/v1/accounts",
            json={**ACCOUNT_BODIES["telegram"], "register_webhook": True},
            headers=headers,
        )
        assert r.status_code == 422
        assert "OMNIBOX_PUBLIC_URL" in r.json()["detail"]
        assert await _account_count(runtime) == 0


# --- Telegram setWebhook against a fake Bot API ------------------------------------------


class TestTelegramWebhookRegistration:
    async def test_create_registers_the_webhook_once(self, runtime_with: RuntimeFactory) -> None:
        async with (
            FakeTelegram() as fake,
            runtime_with(
                public_url="https://inbox.example.com", telegram_api_base=fake.base_url
            ) as (rt, client),
        ):
            headers = await admin_headers(client, rt)
            r = await client.post(
                "/api/v1/accounts", json=ACCOUNT_BODIES["telegram"], headers=headers
            )
            assert r.status_code == 201, r.text
            _assert_no_secrets(r.text)
            account = r.json()
            assert account["webhook_registered"] is True
            url = f"https://inbox.example.com/webhooks/telegram/{account['id']}"
            assert account["webhook_url"] == url
            [call] = fake.calls
            assert call.method == "setWebhook"
            assert call.token == TG_TOKEN
            assert call.form["url"] == url
            assert call.form["secret_token"] == TG_SECRET
            allowed = call.json_field("allowed_updates")
            assert {"message", "edited_message", "my_chat_member", "callback_query"} <= set(allowed)
            assert await _account_count(rt) == 1
            # The secret registered is the one the webhook route checks.
            update = {"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 1}}}
            ok = await client.post(
                f"/webhooks/telegram/{account['id']}",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": call.form["secret_token"]},
            )
            assert ok.status_code == 200

    async def test_register_webhook_false_makes_no_call(self, runtime_with: RuntimeFactory) -> None:
        async with (
            FakeTelegram() as fake,
            runtime_with(
                public_url="https://inbox.example.com", telegram_api_base=fake.base_url
            ) as (rt, client),
        ):
            headers = await admin_headers(client, rt)
            data = await add_account(client, headers, "telegram", register_webhook=False)
            assert data["webhook_registered"] is False
            assert fake.calls == []
            await add_account(client, headers, "vk")
            assert fake.calls == []  # only Telegram registers by API

    async def test_telegram_refusal_is_502_and_creates_nothing(
        self, runtime_with: RuntimeFactory
    ) -> None:
        async with (
            FakeTelegram() as fake,
            runtime_with(
                public_url="https://inbox.example.com", telegram_api_base=fake.base_url
            ) as (rt, client),
        ):
            fake.answer(
                "setWebhook", 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            )
            headers = await admin_headers(client, rt)
            r = await client.post(
                "/api/v1/accounts", json=ACCOUNT_BODIES["telegram"], headers=headers
            )
            assert r.status_code == 502
            assert "Unauthorized" in r.json()["detail"]
            _assert_no_secrets(r.text)
            assert len(fake.calls_to("setWebhook")) == 1
            assert await _account_count(rt) == 0
            listed = await client.get("/api/v1/accounts", headers=headers)
            assert listed.json() == []
            # Telegram now accepts: the same request goes through (nothing half-made was left).
            fake.answer("setWebhook", 200, {"ok": True, "result": True})
            again = await client.post(
                "/api/v1/accounts", json=ACCOUNT_BODIES["telegram"], headers=headers
            )
            assert again.status_code == 201, again.text
            assert await _account_count(rt) == 1

    async def test_unreachable_telegram_is_502_and_creates_nothing(
        self, runtime_with: RuntimeFactory
    ) -> None:
        fake = FakeTelegram()
        await fake.start()
        dead_base = fake.base_url
        await fake.stop()  # nothing listens there now
        async with runtime_with(
            public_url="https://inbox.example.com", telegram_api_base=dead_base
        ) as (rt, client):
            headers = await admin_headers(client, rt)
            r = await client.post(
                "/api/v1/accounts", json=ACCOUNT_BODIES["telegram"], headers=headers
            )
            assert r.status_code == 502
            _assert_no_secrets(r.text)
            assert await _account_count(rt) == 0


# --- the command line (SQLite only: it is about the CLI, not the backends) ---------------


class TestCli:
    def test_user_add_then_duplicate(self, cli: Cli) -> None:
        args = ["user", "add", "--email", "Boss@Example.com", "--password", "pass-word-9"]
        first = cli(*args, "--role", "admin", "--name", "The Boss")
        assert first.returncode == 0, first.stderr
        assert "boss@example.com (admin) created" in first.stdout
        assert "pass-word-9" not in first.stdout + first.stderr
        again = cli(*args, "--role", "agent")
        assert again.returncode != 0
        assert "a user with email boss@example.com exists" in again.stderr
        assert "Traceback" not in again.stderr
        [(email, role, name, password_hash)] = cli.query(
            "SELECT email, role, name, password_hash FROM users"
        )
        assert (email, role, name) == ("boss@example.com", "admin", "The Boss")
        assert password_hash.startswith("$argon2id$")

    def test_user_add_refuses_bad_input(self, cli: Cli) -> None:
        short = cli("user", "add", "--email", "a@example.com", "--password", "short")
        assert short.returncode != 0
        assert "at least 8 characters" in short.stderr
        no_at = cli("user", "add", "--email", "example.com", "--password", "long-enough")
        assert no_at.returncode != 0
        assert "not an email address" in no_at.stderr
        role = cli(
            "user", "add", "--email", "a@example.com", "--password", "x" * 8, "--role", "god"
        )
        assert role.returncode == 2  # argparse: invalid choice
        assert "invalid choice" in role.stderr
        for result in (short, no_at, role):
            assert "Traceback" not in result.stderr
        assert cli.query("SELECT count(*) FROM users") == [(0,)]

    def test_account_add_then_duplicate_and_invalid(self, cli: Cli) -> None:
        args = ["account", "add", "telegram", "--name", "Acme bot", "--token", TG_TOKEN]
        first = cli(*args, "--webhook-secret", TG_SECRET)
        assert first.returncode == 0, first.stderr
        assert "telegram account 1 'Acme bot' created" in first.stdout
        assert "/webhooks/telegram/1" in first.stdout
        _assert_no_secrets(first.stdout + first.stderr)
        again = cli(*args, "--webhook-secret", "another-one")
        assert again.returncode != 0
        assert "a telegram account with id 7000000001 exists" in again.stderr
        vk = cli(
            "account", "add", "vk", "--name", "Acme VK", "--token", "vk-token",
            "--group-id", "229876543", "--confirmation-code", VK_CONFIRMATION,
        )  # fmt: skip
        assert vk.returncode != 0
        assert "invalid account" in vk.stderr
        assert "secret" in vk.stderr
        bad_token = cli("account", "add", "telegram", "--name", "X", "--token", "nope",
                        "--webhook-secret", "abc")  # fmt: skip
        assert bad_token.returncode != 0
        assert "token" in bad_token.stderr
        for result in (again, vk, bad_token):
            assert "Traceback" not in result.stderr
        assert cli.query("SELECT channel, external_id, webhook_secret FROM accounts") == [
            ("telegram", TG_TOKEN.split(":")[0], TG_SECRET)
        ]

    def test_account_add_knows_the_platforms_without_a_runtime(self, cli: Cli) -> None:
        # A fresh `omnibox` process has no runtime to register the platforms' traits (the
        # webhook URL comes from them): the command registers them itself.
        known = dict(platforms.registered())
        platforms.unregister(*known)
        try:
            added = cli("account", "add", "telegram", "--name", "Acme bot", "--token", TG_TOKEN,
                        "--webhook-secret", TG_SECRET)  # fmt: skip
        finally:
            platforms.register(*known.values())
        assert added.returncode == 0, added.stderr
        assert "/webhooks/telegram/1" in added.stdout

    async def test_what_the_cli_made_works_through_the_api(self, cli: Cli) -> None:
        made = cli(
            "user", "add", "--email", "cli@example.com", "--password", "from-the-cli",
            "--role", "admin",
        )  # fmt: skip
        assert made.returncode == 0, made.stderr
        vk = cli(
            "account", "add", "vk", "--name", "Acme VK", "--token", "vk-token",
            "--group-id", "229876543", "--secret", VK_SECRET,
            "--confirmation-code", VK_CONFIRMATION,
        )  # fmt: skip
        assert vk.returncode == 0, vk.stderr
        settings = make_settings(Backend("sqlite", cli.database_url, None, "cli:"))
        rt = Runtime(settings)
        try:
            app = create_app(settings, runtime=rt)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://omnibox.test") as c:
                headers = await login(c, "cli@example.com", "from-the-cli")
                listed = await c.get("/api/v1/accounts", headers=headers)
                [account] = listed.json()
                _assert_no_secrets(listed.text)
                confirm = await c.post(
                    f"/webhooks/vk/{account['id']}",
                    json=load_payload("vk", "confirmation"),
                )
                assert confirm.text == VK_CONFIRMATION
        finally:
            await rt.stop()
