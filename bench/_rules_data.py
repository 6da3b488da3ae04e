"""Generated rule sets and messages for ``bench/rules``, seeded so runs compare.

Rules are what a busy multi-brand shop writes: keyword lists in Russian, English and Korean
(a few topic words, many product names, some phrases), regexes (mostly product-specific, some
generic: order numbers, phones, links), channel, kind and account filters, business hours and
clock conditions, nested all/any/not, a few monitor and off rules. Messages are 5-40 words,
mostly one language with some mixing, some with order numbers, links or emoji.
"""

# ruff: noqa: RUF001 - Cyrillic and Hangul vocabulary is deliberate

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from rules.calendar import BusinessCalendar
from rules.compile import Directory
from rules.facts import ContactFacts, ConversationFacts, Facts, MessageFacts
from rules.schema import Rule, parse_rules


def _words(text: str) -> list[str]:
    return text.split()


RU = _words(
    "доставка доставки доставку заказ заказа возврат оплата оплатил скидка цена размер курьер "
    "посылка трек номер магазин товар брак обмен гарантия карта наличные срочно отмена отменить "
    "адрес пункт выдачи самовывоз упаковка сломан повреждён вернуть деньги счёт чек акция промокод "
    "подарок сертификат каталог наличие склад"
)
EN = _words(
    "delivery order refund payment paid discount price size courier parcel tracking number shop "
    "item broken exchange warranty card cash urgent cancel address pickup package damaged return "
    "money invoice receipt sale promo code gift certificate catalog stock warehouse shipping"
)
KO = _words(
    "배송 주문 환불 결제 할인 가격 사이즈 택배 송장 번호 상품 불량 교환 보증 카드 현금 긴급 취소 "
    "주소 포장 파손 반품 영수증 세일 쿠폰 선물 재고 창고 배송비 문의 확인 변경"
)
FILLER = {
    "ru": _words(
        "привет здравствуйте подскажите пожалуйста когда где мой моя уже неделю жду спасибо "
        "можно ли вас есть это как быстро сегодня завтра"
    ),
    "en": _words(
        "hi hello please when where is my it has been week waiting thanks can you do have "
        "this how fast today tomorrow the a"
    ),
    "ko": _words(
        "안녕하세요 언제 어디 제 일주일 기다리고 있어요 감사합니다 가능한가요 있나요 오늘 내일 "
        "빨리 좀 부탁드립니다"
    ),
}
VOCAB = {"ru": RU, "en": EN, "ko": KO}
PHRASES = (
    "где мой заказ",
    "когда будет доставка",
    "where is my order",
    "money back",
    "배송 언제",
    "e-mail",
)
SPAM = ("казино", "casino", "카지노", "крипта", "crypto", "ставки", "bet365")
REGEXES = (
    r"\b(заказ|order|주문)\s*(№|#|no\.?)?\s*\d{4,}",
    r"\+?\d[\d\s\-()]{9,}\d",
    r"https?://\S+",
    r"[\w.+-]+@[\w-]+\.[\w.]+",
    r"\bдостав\w*",
    r"\bвозвр\w*|\brefund\w*",
    r"(скидк|discount|할인)\w*\s*\d+\s*%",
    r"\b\d{5,}\b",
    r"(срочно|urgent|긴급)!+",
    r"^\s*(привет|hi|hello|안녕)",
)
CHANNELS = ("telegram", "vk", "facebook", "instagram")
TEAMS = {"Delivery": 1, "Billing": 2, "Returns": 3, "Sales": 4, "Moderation": 5}


SYLLABLES = {
    "ru": _words("ка ро ми ла то ве ни за пу ст ор ли не ба"),
    "en": _words("ka ro mi la to ve ni za pu st or li ne ba"),
    "ko": _words("가 나 다 라 마 바 사 아 자 차 카 타 파 하"),
}


def _products(rng: random.Random, n: int) -> list[str]:
    """Product, brand and campaign names: the long tail that makes up most keyword lists."""
    out = []
    for _ in range(n):
        lang = rng.choice(("ru", "en", "ko"))
        out.append("".join(rng.choices(SYLLABLES[lang], k=rng.randint(2, 4))))
    return out


PRODUCTS = _products(random.Random(0), 3000)


def _keywords(rng: random.Random) -> list[str]:
    """A topic word or two (sometimes a phrase) and a few product names."""
    lang = rng.choice(("ru", "en", "ko"))
    words = rng.sample(VOCAB[lang], rng.randint(0, 2)) + rng.sample(PRODUCTS, rng.randint(2, 8))
    if rng.random() < 0.2:
        words.append(rng.choice(PHRASES))
    return words


ACCOUNTS = 20  # a multi-brand install: most rules are scoped to one account


def _regex(rng: random.Random) -> str:
    """Mostly product-specific patterns; the generic ones (order numbers, phones) are rarer."""
    if rng.random() < 0.3:
        return rng.choice(REGEXES)
    a, b = rng.sample(PRODUCTS, 2)
    return rng.choice(
        (
            rf"\b({a}|{b})\w*",
            rf"\b{a}\s*(№|#)?\s*\d+",
            rf"({a}|{b}).{{0,20}}(цена|price|가격)",
        )
    )


def _filters(rng: random.Random) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if rng.random() < 0.5:
        out.append({"account": [rng.randint(1, ACCOUNTS)]})
    if rng.random() < 0.6:
        out.append({"channel": rng.sample(CHANNELS, rng.randint(1, 2))})
    if rng.random() < 0.4:
        out.append({"kind": rng.choice(("direct", "comment"))})
    extra = rng.random()
    if extra < 0.15:
        out.append({"business_hours": rng.choice(("inside", "outside"))})
    elif extra < 0.25:
        out.append({"status": ["open", "pending"]})
    elif extra < 0.30:
        out.append({"contact_is_new": True})
    elif extra < 0.35:
        out.append({"time_between": ["22:00", "08:00"]})
    return out


def _condition(rng: random.Random) -> dict[str, Any]:
    shape = rng.random()
    if shape < 0.50:  # keywords plus filters
        return {"all": [*_filters(rng), {"text_has_any": _keywords(rng)}]}
    if shape < 0.70:  # a regex plus filters
        return {"all": [*_filters(rng), {"text_matches": _regex(rng)}]}
    if shape < 0.85:  # nested
        return {
            "all": [
                *_filters(rng),
                {
                    "any": [
                        {"text_has_any": _keywords(rng)},
                        {"text_matches": _regex(rng)},
                        {"all": [{"has_attachments": True}, {"text_has_any": _keywords(rng)}]},
                    ]
                },
                {"not": {"text_has_any": list(SPAM)}},
            ]
        }
    account = {"account": [rng.randint(1, ACCOUNTS)]}
    if shape < 0.92:  # spam
        return {"all": [account, {"kind": "comment"}, {"text_has_any": list(SPAM)}]}
    if shape < 0.96:  # greeting
        channel = {"channel": rng.choice(CHANNELS)}
        return {"all": [account, channel, {"contact_is_new": True}]}
    outside = {"business_hours": "outside"}
    return {"all": [account, outside, {"weekday": ["sat", "sun"]}]}


def _actions(rng: random.Random) -> list[dict[str, Any]]:
    actions: list[dict[str, Any]] = [{"add_label": rng.choice(RU + EN)}]
    if rng.random() < 0.4:
        actions.append({"assign_team": {"team": rng.choice(list(TEAMS))}})
    if rng.random() < 0.2:
        actions.append({"reply": "Здравствуйте, {{ contact.first_name }}! Мы скоро ответим."})
    if rng.random() < 0.1:
        actions.append({"set_priority": "high"})
    return actions


def make_rules(n: int, seed: int = 1) -> list[Rule]:
    return parse_rules(make_raw_rules(n, seed))


def make_raw_rules(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """Rules as an admin's JSON/YAML would hold them."""
    rng = random.Random(seed)
    raw: list[dict[str, Any]] = []
    for i in range(n):
        mode = rng.choices(("active", "monitor", "off"), (85, 10, 5))[0]
        raw.append(
            {
                "name": f"rule {i}",
                "mode": mode,
                "when": "message_received",
                "if": _condition(rng),
                "then": _actions(rng),
                "stop": rng.random() < 0.03,
            }
        )
    return raw


def make_messages(n: int, seed: int = 2) -> list[Facts]:
    rng = random.Random(seed)
    calendar = BusinessCalendar.from_dict(
        {
            "timezone": "Europe/Moscow",
            "weekly": {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
            | {"fri": [["09:00", "18:00"], ["22:00", "06:00"]]},
        }
    )
    start = datetime(2026, 3, 2, tzinfo=UTC)
    out = []
    for i in range(n):
        lang = rng.choices(("ru", "en", "ko"), (6, 3, 2))[0]
        words = []
        for _ in range(rng.randint(5, 40)):
            r = rng.random()
            other = rng.choice(("ru", "en", "ko"))
            if r < 0.08:
                words.append(rng.choice(VOCAB[lang]))
            elif r < 0.10:
                words.append(rng.choice(VOCAB[other]))
            elif r < 0.13:
                words.append(rng.choice(PRODUCTS))
            else:
                words.append(rng.choice(FILLER[lang]))
        extra = rng.random()
        if extra < 0.1:
            words.append(f"заказ №{rng.randint(10000, 99999)}")
        elif extra < 0.15:
            words.append("https://shop.example/item/42")
        elif extra < 0.18:
            words.append("🔥🔥")
        elif extra < 0.2:
            words.append(rng.choice(SPAM))
        text = " ".join(words).capitalize() + rng.choice(("?", "!", ".", "", "!!"))
        kind = rng.choices(("direct", "comment"), (7, 3))[0]
        out.append(
            Facts(
                event="message_received",
                message=MessageFacts(
                    text=text,
                    channel=rng.choice(CHANNELS),
                    account_id=rng.randint(1, ACCOUNTS),
                    kind=kind,
                    direction="in",
                    sender_type="contact",
                    attachment_types=("photo",) if rng.random() < 0.1 else (),
                ),
                contact=ContactFacts(
                    id=i,
                    display_name=rng.choice(("Иван Петров", "Kim Minji", "김민지", "Anna")),
                    username=None,
                    language=None,
                    is_new=rng.random() < 0.2,
                    labels=frozenset(),
                    subscribed=False,
                ),
                conversation=ConversationFacts(
                    id=i,
                    status="open",
                    assignee_id=None,
                    team_id=None,
                    labels=frozenset(),
                    priority=None,
                    is_new=False,
                    reopened=False,
                ),
                now=start + timedelta(minutes=37 * i),
                calendar=calendar,
            )
        )
    return out


def directory() -> Directory:
    return Directory(teams=TEAMS, users={}, account_ids=frozenset(range(1, ACCOUNTS + 1)))
