"""Every way a webhook can be refused, per platform; a refusal stores nothing and is counted.

"Nothing forged" (README.md): a request that fails verification never reaches the queue,
so for every refusal the queue stays empty and, after the worker drains, there are no
conversations or messages. No junk body makes a webhook route answer 500.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from api.app import create_app
from api.runtime import Runtime
from bots.account_forms import ACCOUNT_IN
from inbox.accounts.service import create_account
from inbox.conversations.models import Conversation, Message
from tests.support.factories import (
    ACCOUNT_BODIES,
    FB_PAGE,
    TG_SECRET,
    VK_CONFIRMATION,
    VK_GROUP,
    VK_SECRET,
    body_of,
    drain,
    post_facebook,
    post_telegram,
    post_vk,
)
from tests.support.fixtures import RuntimeFactory
from tests.support.payloads import load_payload, sign_facebook
from tests.support.units import orm_session

# verification and refusals: nothing here depends on the storage backend.
pytestmark = pytest.mark.one_backend

Counters = dict[tuple[str, ...], float]

# --- helpers -----------------------------------------------------------------------------


async def _counters(client: httpx.AsyncClient) -> Counters:
    """The webhook counters from /metrics, keyed (kind, channel[, reason])."""
    r = await client.get("/metrics")
    assert r.status_code == 200
    out: Counters = {}
    for family in text_string_to_metric_families(r.text):
        for s in family.samples:
            if s.name == "omnibox_webhooks_refused_total":
                out[("refused", s.labels["channel"], s.labels["reason"])] = s.value
            elif s.name == "omnibox_webhooks_received_total":
                out[("received", s.labels["channel"])] = s.value
    return out


async def _delta(client: httpx.AsyncClient, before: Counters) -> Counters:
    after = await _counters(client)
    return {k: v - before.get(k, 0.0) for k, v in after.items() if v != before.get(k, 0.0)}


async def _assert_nothing_stored(rt: Runtime) -> None:
    assert await rt.queue.depth() == 0, "a refused request reached the queue"
    assert await drain(rt) == 0
    async with orm_session(rt) as session:
        assert await session.scalar(select(func.count()).select_from(Conversation)) == 0
        assert await session.scalar(select(func.count()).select_from(Message)) == 0


async def _assert_refused(
    client: httpx.AsyncClient, rt: Runtime, before: Counters, expected: Counters
) -> None:
    await _assert_nothing_stored(rt)
    assert await _delta(client, before) == expected


async def _add_account_directly(rt: Runtime, channel: str, **overrides: Any) -> dict[str, Any]:
    """An account written straight to the database (no admin login: argon2 is slow)."""
    data = ACCOUNT_IN.validate_python({**ACCOUNT_BODIES[channel], **overrides})
    async with orm_session(rt) as session:
        account = await create_account(session, data)
    return {"id": account.id, "channel": channel}


async def _add_accounts_directly(rt: Runtime) -> dict[str, dict[str, Any]]:
    return {channel: await _add_account_directly(rt, channel) for channel in ACCOUNT_BODIES}


@pytest.fixture
async def accounts(runtime: Runtime) -> dict[str, dict[str, Any]]:
    return await _add_accounts_directly(runtime)


async def _chunks(body: bytes, size: int = 500) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def _post_raw(
    client: httpx.AsyncClient,
    accounts: dict[str, dict[str, Any]],
    route: str,
    body: bytes,
    *,
    chunked: bool = False,
) -> httpx.Response:
    """Post raw bytes to a route with valid credentials (Meta: signed over these bytes).

    ``chunked`` streams the body with no Content-Length (Transfer-Encoding: chunked).
    """
    headers = {"Content-Type": "application/json"}
    if route == "telegram":
        headers["X-Telegram-Bot-Api-Secret-Token"] = TG_SECRET
        url = f"/webhooks/telegram/{accounts['telegram']['id']}"
    elif route == "vk":
        url = f"/webhooks/vk/{accounts['vk']['id']}"
    else:
        headers["X-Hub-Signature-256"] = sign_facebook(body, "fb-app-secret")
        url = "/webhooks/facebook"
    content: bytes | AsyncIterator[bytes] = _chunks(body) if chunked else body
    return await client.post(url, content=content, headers=headers)


ROUTES = ["telegram", "vk", "facebook"]

# --- Telegram ----------------------------------------------------------------------------


class TestTelegramSecret:
    @pytest.mark.parametrize(
        "secret",
        [None, "", "wrong", TG_SECRET + "x", TG_SECRET[:-1], TG_SECRET.upper()],
        ids=["missing", "empty", "wrong", "longer", "prefix", "case"],
    )
    async def test_wrong_or_missing_secret_is_401(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        accounts: dict[str, dict[str, Any]],
        secret: str | None,
    ) -> None:
        before = await _counters(client)
        r = await post_telegram(
            client, accounts["telegram"]["id"], load_payload("telegram", "message__dm_text"), secret
        )
        assert r.status_code == 401
        await _assert_refused(client, runtime, before, {("refused", "telegram", "unauthorized"): 1})

    async def test_non_ascii_header_is_401_not_500(
        self, client: httpx.AsyncClient, runtime: Runtime, accounts: dict[str, dict[str, Any]]
    ) -> None:
        before = await _counters(client)
        r = await client.post(
            f"/webhooks/telegram/{accounts['telegram']['id']}",
            content=body_of(load_payload("telegram", "message__dm_text")),
            headers={"X-Telegram-Bot-Api-Secret-Token": "секрет".encode()},
        )
        assert r.status_code == 401
        await _assert_refused(client, runtime, before, {("refused", "telegram", "unauthorized"): 1})

    async def test_another_bots_secret_does_not_open_this_bot(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        first = (await _add_accounts_directly(runtime))["telegram"]
        second = await _add_account_directly(
            runtime, "telegram", token="7000000002:BBOtherToken", webhook_secret="other"
        )
        payload = load_payload("telegram", "message__dm_text")
        before = await _counters(client)
        assert (await post_telegram(client, second["id"], payload, TG_SECRET)).status_code == 401
        assert (await post_telegram(client, first["id"], payload, "other")).status_code == 401
        await _assert_refused(client, runtime, before, {("refused", "telegram", "unauthorized"): 2})

    @pytest.mark.parametrize(
        "body", [b"{", b"[]", b"x" * 5000], ids=["malformed", "not-object", "large"]
    )
    async def test_secret_is_checked_before_the_body_is_looked_at(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        accounts: dict[str, dict[str, Any]],
        body: bytes,
    ) -> None:
        before = await _counters(client)
        r = await post_telegram(client, accounts["telegram"]["id"], body, secret="wrong")
        assert r.status_code == 401
        await _assert_refused(client, runtime, before, {("refused", "telegram", "unauthorized"): 1})

    @pytest.mark.parametrize(
        "update_id",
        [None, "804512001", True, 1.5, [804512001]],
        ids=["absent", "string", "bool", "float", "list"],
    )
    async def test_update_without_integer_update_id_is_400(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        accounts: dict[str, dict[str, Any]],
        update_id: Any,
    ) -> None:
        payload = load_payload("telegram", "message__dm_text")
        if update_id is None:
            del payload["update_id"]
        else:
            payload["update_id"] = update_id
        before = await _counters(client)
        r = await post_telegram(client, accounts["telegram"]["id"], payload)
        assert r.status_code == 400
        assert "update_id" in r.json()["detail"]
        await _assert_refused(client, runtime, before, {("refused", "telegram", "malformed"): 1})


# --- VK ----------------------------------------------------------------------------------


class TestVk:
    @pytest.mark.parametrize(
        "secret",
        ["<absent>", "", "wrong", VK_SECRET.lower(), 12345, None, [VK_SECRET]],
        ids=["absent", "empty", "wrong", "case", "int", "null", "list"],
    )
    async def test_wrong_or_missing_secret_is_403(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        accounts: dict[str, dict[str, Any]],
        secret: Any,
    ) -> None:
        payload = load_payload("vk", "message_new")
        if secret == "<absent>":
            del payload["secret"]
        else:
            payload["secret"] = secret
        before = await _counters(client)
        r = await post_vk(client, accounts["vk"]["id"], payload)
        assert r.status_code == 403
        assert r.text != "ok"
        await _assert_refused(client, runtime, before, {("refused", "vk", "unauthorized"): 1})

    @pytest.mark.parametrize("group_id", [1, VK_GROUP + 1, -VK_GROUP, "<absent>", None], ids=str)
    async def test_event_for_another_group_is_404(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        accounts: dict[str, dict[str, Any]],
        group_id: Any,
    ) -> None:
        payload = load_payload("vk", "message_new")
        if group_id == "<absent>":
            del payload["group_id"]
        else:
            payload["group_id"] = group_id
        before = await _counters(client)
        r = await post_vk(client, accounts["vk"]["id"], payload)
        assert r.status_code == 404
        await _assert_refused(client, runtime, before, {("refused", "vk", "unknown_account"): 1})

    async def test_confirmation_answers_exactly_the_code_as_plain_text(
        self, client: httpx.AsyncClient, runtime: Runtime, accounts: dict[str, dict[str, Any]]
    ) -> None:
        before = await _counters(client)
        r = await post_vk(client, accounts["vk"]["id"], load_payload("vk", "confirmation"))
        assert r.status_code == 200
        assert r.content == VK_CONFIRMATION.encode()
        assert r.headers["content-type"].startswith("text/plain")
        await _assert_nothing_stored(runtime)  # a handshake is not an event
        assert await _delta(client, before) == {}

    @pytest.mark.parametrize("where", ["other-group", "unknown-account", "telegram-account"])
    async def test_confirmation_never_leaks_the_code_elsewhere(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        accounts: dict[str, dict[str, Any]],
        where: str,
    ) -> None:
        payload = load_payload("vk", "confirmation")
        account_id = accounts["vk"]["id"]
        if where == "other-group":
            payload["group_id"] = VK_GROUP + 1
        elif where == "unknown-account":
            account_id = 999_999
        else:
            account_id = accounts["telegram"]["id"]
        before = await _counters(client)
        r = await post_vk(client, account_id, payload)
        assert r.status_code == 404
        assert VK_CONFIRMATION not in r.text
        await _assert_refused(client, runtime, before, {("refused", "vk", "unknown_account"): 1})

    async def test_event_without_event_id_is_400(
        self, client: httpx.AsyncClient, runtime: Runtime, accounts: dict[str, dict[str, Any]]
    ) -> None:
        payload = load_payload("vk", "message_new")
        del payload["event_id"]
        before = await _counters(client)
        r = await post_vk(client, accounts["vk"]["id"], payload)
        assert r.status_code == 400
        await _assert_refused(client, runtime, before, {("refused", "vk", "malformed"): 1})


# --- Meta (Facebook and Instagram) -------------------------------------------------------


def _good_digest(body: bytes) -> str:
    return hmac.new(b"fb-app-secret", body, hashlib.sha256).hexdigest()


class TestMetaSignature:
    @pytest.mark.parametrize(
        "make_header",
        [
            lambda body: None,
            lambda body: "",
            lambda body: "sha256=" + "0" * 64,
            lambda body: "sha1=" + _good_digest(body),
            lambda body: _good_digest(body),
            lambda body: "sha256=" + _good_digest(body)[:-2],
            lambda body: "sha256=" + _good_digest(body) + "00",
            lambda body: sign_facebook(body, "another-app-secret"),
            lambda body: sign_facebook(body + b"\n", "fb-app-secret"),
            lambda body: "sha256=" + "ü" * 64,
        ],
        ids=[
            "missing",
            "empty",
            "forged",
            "wrong-prefix",
            "no-prefix",
            "truncated",
            "extended",
            "other-secret",
            "other-bytes",
            "non-hex",
        ],
    )
    async def test_bad_signature_is_403(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        accounts: dict[str, dict[str, Any]],
        make_header: Any,
    ) -> None:
        body = body_of(load_payload("facebook", "messages__text"))
        header = make_header(body)
        headers: dict[str, Any] = {"Content-Type": "application/json"}
        if header is not None:
            headers["X-Hub-Signature-256"] = header.encode()
        before = await _counters(client)
        r = await client.post("/webhooks/facebook", content=body, headers=headers)
        assert r.status_code == 403
        await _assert_refused(client, runtime, before, {("refused", "facebook", "unauthorized"): 1})

    async def test_signature_over_reserialised_json_is_403_raw_bytes_pass(
        self, client: httpx.AsyncClient, runtime: Runtime, accounts: dict[str, dict[str, Any]]
    ) -> None:
        payload = load_payload("facebook", "messages__text")
        raw = json.dumps(payload, indent=2).encode()  # what Meta "sent"
        reserialised = json.dumps(json.loads(raw), separators=(",", ":")).encode()
        assert raw != reserialised
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign_facebook(reserialised, "fb-app-secret"),
        }
        before = await _counters(client)
        r = await client.post("/webhooks/facebook", content=raw, headers=headers)
        assert r.status_code == 403
        await _assert_refused(client, runtime, before, {("refused", "facebook", "unauthorized"): 1})
        # The same bytes signed as they are pass: only the signed bytes made the difference.
        headers["X-Hub-Signature-256"] = sign_facebook(raw, "fb-app-secret")
        assert (
            await client.post("/webhooks/facebook", content=raw, headers=headers)
        ).status_code == 200
        assert await drain(runtime) == 1

    async def test_without_app_secret_nothing_is_accepted(
        self, runtime_with: RuntimeFactory
    ) -> None:
        async with runtime_with(facebook_app_secret=None) as (rt, client):
            await _add_accounts_directly(rt)
            body = body_of(load_payload("facebook", "messages__text"))
            before = await _counters(client)
            for secret in ("fb-app-secret", "", None):
                headers = {"Content-Type": "application/json"}
                if secret is not None:
                    headers["X-Hub-Signature-256"] = sign_facebook(body, secret)
                r = await client.post("/webhooks/facebook", content=body, headers=headers)
                assert r.status_code == 403, secret
            await _assert_refused(client, rt, before, {("refused", "facebook", "unauthorized"): 3})

    async def test_instagram_object_is_checked_the_same_way(
        self, client: httpx.AsyncClient, runtime: Runtime, accounts: dict[str, dict[str, Any]]
    ) -> None:
        before = await _counters(client)
        r = await post_facebook(
            client, load_payload("instagram", "messages__text"), app_secret="wrong"
        )
        assert r.status_code == 403
        await _assert_refused(client, runtime, before, {("refused", "facebook", "unauthorized"): 1})


class TestMetaHandshake:
    async def test_right_token_echoes_the_challenge(self, client: httpx.AsyncClient) -> None:
        params = {
            "hub.mode": "subscribe",
            "hub.verify_token": "fb-verify-token",
            "hub.challenge": "1158201444",
        }
        r = await client.get("/webhooks/facebook", params=params)
        assert r.status_code == 200
        assert r.text == "1158201444"
        assert r.headers["content-type"].startswith("text/plain")

    @pytest.mark.parametrize(
        "params",
        [
            {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "CHALLENGE-7"},
            {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "CHALLENGE-7"},
            {"hub.mode": "subscribe", "hub.challenge": "CHALLENGE-7"},
            {
                "hub.mode": "unsubscribe",
                "hub.verify_token": "fb-verify-token",
                "hub.challenge": "CHALLENGE-7",
            },
            {"hub.mode": "subscribe", "hub.verify_token": "fb-verify-token", "hub.challenge": ""},
            {"hub.mode": "subscribe", "hub.verify_token": "fb-verify-token"},
            {},
        ],
        ids=[
            "wrong-token",
            "empty-token",
            "no-token",
            "wrong-mode",
            "empty-challenge",
            "no-challenge",
            "nothing",
        ],
    )
    async def test_anything_else_is_403(
        self, client: httpx.AsyncClient, params: dict[str, str]
    ) -> None:
        before = await _counters(client)
        r = await client.get("/webhooks/facebook", params=params)
        assert r.status_code == 403
        assert "CHALLENGE-7" not in r.text
        assert await _delta(client, before) == {("refused", "facebook", "unauthorized"): 1}

    async def test_without_verify_token_configured_no_handshake_passes(
        self, runtime_with: RuntimeFactory
    ) -> None:
        async with runtime_with(facebook_verify_token=None) as (_rt, client):
            for token in ("fb-verify-token", "", "None"):
                params = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "7"}
                r = await client.get("/webhooks/facebook", params=params)
                assert r.status_code == 403
                assert r.text != "7"


class TestMetaRouting:
    @pytest.mark.parametrize(
        ("platform", "name", "channel"),
        [
            ("facebook", "messages__text", "facebook"),
            ("instagram", "messages__text", "instagram"),
        ],
    )
    async def test_entries_for_unknown_pages_only_are_404(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        accounts: dict[str, dict[str, Any]],
        platform: str,
        name: str,
        channel: str,
    ) -> None:
        payload = load_payload(platform, name)
        for entry in payload["entry"]:
            entry["id"] = "999000999000"
        before = await _counters(client)
        r = await post_facebook(client, payload)
        assert r.status_code == 404
        await _assert_nothing_stored(runtime)
        delta = await _delta(client, before)
        assert set(delta) == {("refused", channel, "unknown_account")}
        assert delta[("refused", channel, "unknown_account")] >= 1

    async def test_facebook_page_id_is_not_an_instagram_account(
        self, client: httpx.AsyncClient, runtime: Runtime, accounts: dict[str, dict[str, Any]]
    ) -> None:
        payload = load_payload("instagram", "messages__text")
        for entry in payload["entry"]:
            entry["id"] = FB_PAGE
        r = await post_facebook(client, payload)
        assert r.status_code == 404
        await _assert_nothing_stored(runtime)

    async def test_batch_with_one_unknown_entry_keeps_only_the_known_one(
        self, client: httpx.AsyncClient, runtime: Runtime, accounts: dict[str, dict[str, Any]]
    ) -> None:
        payload = load_payload("facebook", "messages__text")
        stranger = copy.deepcopy(payload["entry"][0])
        stranger["id"] = "999000999000"
        payload["entry"].append(stranger)
        r = await post_facebook(client, payload)
        assert r.status_code == 200
        assert await drain(runtime) == 1
        async with orm_session(runtime) as session:
            convs = (await session.scalars(select(Conversation))).all()
        assert [c.account_id for c in convs] == [accounts["facebook"]["id"]]

    async def test_unsupported_object_is_acknowledged_and_not_stored(
        self, client: httpx.AsyncClient, runtime: Runtime, accounts: dict[str, dict[str, Any]]
    ) -> None:
        payload = load_payload("facebook", "messages__text")
        payload["object"] = "whatsapp_business_account"
        before = await _counters(client)
        r = await post_facebook(client, payload)
        assert r.status_code == 200  # Meta would retry anything else for days
        await _assert_nothing_stored(runtime)
        assert await _delta(client, before) == {}

    @pytest.mark.parametrize(
        "entry", [None, {}, "x", [1], [{"time": 1}], [{"id": {"a": 1}}]], ids=repr
    )
    async def test_bad_entry_list_is_400(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        accounts: dict[str, dict[str, Any]],
        entry: Any,
    ) -> None:
        payload: dict[str, Any] = {"object": "page"}
        if entry is not None:
            payload["entry"] = entry
        before = await _counters(client)
        r = await post_facebook(client, payload)
        assert r.status_code == 400
        await _assert_refused(client, runtime, before, {("refused", "facebook", "malformed"): 1})


# --- what every route shares -------------------------------------------------------------

JUNK: list[bytes] = [
    b"",
    b"null",
    b"[]",
    b'"x"',
    b"[" * 10_000 + b"]" * 10_000,
    b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    b"\xff\xfe\xfd\x80",
    b'{"update_id": 1, "text": "\xff"}',
    b'{"x": "\\ud83d"}',
    b"\x00",
    b"{",
    b"1e400",
    b"NaN",
]
JUNK_IDS = [
    "empty",
    "null",
    "list",
    "string",
    "deep-arrays",
    "deep-objects",
    "bad-utf8",
    "bad-utf8-in-object",
    "lone-surrogate",
    "nul",
    "truncated",
    "huge-number",
    "nan",
]


class TestBodies:
    @pytest.mark.parametrize("route", ROUTES)
    async def test_junk_is_400_and_never_500(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        accounts: dict[str, dict[str, Any]],
        route: str,
    ) -> None:
        before = await _counters(client)
        answers = {
            name: (await _post_raw(client, accounts, route, body)).status_code
            for name, body in zip(JUNK_IDS, JUNK, strict=True)
        }
        assert answers == dict.fromkeys(JUNK_IDS, 400)
        await _assert_refused(client, runtime, before, {("refused", route, "malformed"): len(JUNK)})

    async def test_junk_without_credentials_is_refused_without_500(
        self, client: httpx.AsyncClient, runtime: Runtime, accounts: dict[str, dict[str, Any]]
    ) -> None:
        tg = accounts["telegram"]["id"]
        for name, body in zip(JUNK_IDS, JUNK, strict=True):
            answers = [
                (await post_telegram(client, tg, body, secret=None)).status_code,
                (await post_telegram(client, 999_999, body)).status_code,
                (await post_vk(client, 999_999, body)).status_code,
                (await post_facebook(client, body, app_secret=None)).status_code,
                (await post_facebook(client, body, app_secret="wrong")).status_code,
            ]
            assert answers == [401, 404, 404, 403, 403], name
        await _assert_nothing_stored(runtime)

    @pytest.mark.parametrize("route", ROUTES)
    async def test_json_that_is_not_an_object_is_400(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        accounts: dict[str, dict[str, Any]],
        route: str,
    ) -> None:
        valid = {
            "telegram": load_payload("telegram", "message__dm_text"),
            "vk": load_payload("vk", "message_new"),
            "facebook": load_payload("facebook", "messages__text"),
        }[route]
        before = await _counters(client)
        r = await _post_raw(client, accounts, route, json.dumps([valid]).encode())
        assert r.status_code == 400
        assert "object" in r.json()["detail"]
        await _assert_refused(client, runtime, before, {("refused", route, "malformed"): 1})


def _padded(route: str, size: int) -> bytes:
    """A valid event of exactly ``size`` bytes: only its length can get it refused."""
    if route == "telegram":
        payload = load_payload("telegram", "message__dm_text")
        holder = payload["message"]
    elif route == "vk":
        payload = load_payload("vk", "message_new")
        holder = payload["object"]["message"]
    else:
        payload = load_payload("facebook", "messages__text")
        holder = payload["entry"][0]["messaging"][0]["message"]
    holder["text"] = ""
    pad = size - len(body_of(payload))
    assert pad >= 0
    holder["text"] = "a" * pad
    body = body_of(payload)
    assert len(body) == size
    return body


class TestBodyCap:
    @pytest.mark.parametrize("route", ROUTES)
    async def test_over_the_cap_is_413_with_or_without_content_length(
        self, runtime_with: RuntimeFactory, route: str
    ) -> None:
        async with runtime_with(max_body_bytes=2048) as (rt, client):
            accounts = await _add_accounts_directly(rt)
            body = _padded(route, 3000)
            before = await _counters(client)
            r = await _post_raw(client, accounts, route, body)
            assert r.status_code == 413
            assert r.request.headers["content-length"] == "3000"
            r = await _post_raw(client, accounts, route, body, chunked=True)
            assert "content-length" not in r.request.headers
            assert r.request.headers["transfer-encoding"] == "chunked"
            assert r.status_code == 413
            await _assert_refused(client, rt, before, {("refused", route, "too_large"): 2})

    @pytest.mark.parametrize("route", ROUTES)
    async def test_exactly_the_cap_is_accepted(
        self, runtime_with: RuntimeFactory, route: str
    ) -> None:
        async with runtime_with(max_body_bytes=2048) as (rt, client):
            accounts = await _add_accounts_directly(rt)
            assert (
                await _post_raw(client, accounts, route, _padded(route, 2049))
            ).status_code == 413
            await _assert_nothing_stored(rt)
            r = await _post_raw(client, accounts, route, _padded(route, 2048))
            assert r.status_code == 200, r.text
            assert await drain(rt) == 1

    @pytest.mark.parametrize("declared", ["abc", "-1", "²", "99999999999999999999999"])
    async def test_nonsense_content_length_is_refused_without_500(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        accounts: dict[str, dict[str, Any]],
        declared: str,
    ) -> None:
        body = body_of(load_payload("vk", "message_new"))
        app = create_app(runtime.settings, runtime=runtime)
        scope_headers = [
            (b"content-type", b"application/json"),
            (b"content-length", declared.encode("latin-1")),
        ]
        status = await _raw_asgi_post(
            app, f"/webhooks/vk/{accounts['vk']['id']}", body, scope_headers
        )
        assert status in (400, 413)
        await _assert_nothing_stored(runtime)


async def _raw_asgi_post(
    app: Any, path: str, body: bytes, headers: list[tuple[bytes, bytes]]
) -> int:
    """Call the ASGI app directly: httpx would not send a nonsense Content-Length."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1234),
        "server": ("omnibox.test", 80),
    }
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


# --- account ids in the path -------------------------------------------------------------

BAD_IDS = ["999999", "0", "abc", "1.0", "-1", "0x1", "1e3", "%C2%B2", "1" * 19, "%00"]


class TestAccountIds:
    @pytest.mark.parametrize("route", ["telegram", "vk"])
    async def test_unknown_or_malformed_account_id_is_404(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        accounts: dict[str, dict[str, Any]],
        route: str,
    ) -> None:
        payload = (
            load_payload("telegram", "message__dm_text")
            if route == "telegram"
            else load_payload("vk", "message_new")
        )
        own = str(accounts[route]["id"])
        # The account's own id in fullwidth or superscript digits is not the same id.
        fullwidth = quote("".join(chr(0xFF10 + int(d)) for d in own))
        superscript = quote(own.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")))
        raw_ids = [*BAD_IDS, fullwidth, superscript, f" {own}", f"{own}%20", f"+{own}"]
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
        before = await _counters(client)
        answers = {
            raw_id: (
                await client.post(
                    f"/webhooks/{route}/{raw_id}", content=body_of(payload), headers=headers
                )
            ).status_code
            for raw_id in raw_ids
        }
        assert answers == dict.fromkeys(raw_ids, 404)
        await _assert_refused(
            client, runtime, before, {("refused", route, "unknown_account"): len(raw_ids)}
        )

    @pytest.mark.parametrize(
        ("route", "other"),
        [(r, o) for r in ("telegram", "vk") for o in ACCOUNT_BODIES if o != r],
    )
    async def test_account_of_another_channel_is_404(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        accounts: dict[str, dict[str, Any]],
        route: str,
        other: str,
    ) -> None:
        payload = (
            load_payload("telegram", "message__dm_text")
            if route == "telegram"
            else load_payload("vk", "message_new")
        )
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
        before = await _counters(client)
        r = await client.post(
            f"/webhooks/{route}/{accounts[other]['id']}", content=body_of(payload), headers=headers
        )
        assert r.status_code == 404
        await _assert_refused(client, runtime, before, {("refused", route, "unknown_account"): 1})
