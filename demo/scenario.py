# ruff: noqa: RUF001 - Cyrillic and Hangul texts and en dashes are deliberate
"""What the demo instance holds, as data: a small coffee roaster, Acme Coffee, its people, its
four accounts and twenty conversations in English, Russian and Korean.

Times are hours before the demo's first run. The accounts' tokens and secrets are made up:
demo accounts talk only to local fake platforms (:mod:`demo.routing`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PASSWORD = "omnibox-demo"  # noqa: S105 - printed at the end; a demo, not a deployment


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: str  # "admin" | "agent"


USERS = (
    DemoUser("admin@example.com", "Alex Admin", "admin"),
    DemoUser("anna@example.com", "Anna Agent", "agent"),
    DemoUser("boris@example.com", "Boris Agent", "agent"),
)
TEAMS = {"Support": ("anna@example.com", "boris@example.com"), "Delivery": ("boris@example.com",)}

CANNED = (
    ("hello", "Greeting", "Hi! Thanks for writing to Acme Coffee. How can I help?"),
    (
        "shipping",
        "Shipping times",
        "We ship within 2–3 days across Russia and 5–7 days abroad; the tracking number "
        "comes by email.",
    ),
    ("thanks", "Thanks", "Thank you! Is there anything else I can help with?"),
    ("privet", "Приветствие", "Здравствуйте! Спасибо, что написали в Acme Coffee. Чем помочь?"),
)

TG_TOKEN = "7000000042:DEMO_not_a_real_token_0123456789"  # noqa: S105 - made up
TG_SECRET = "demo-telegram-secret"  # noqa: S105
VK_GROUP = 229000042
VK_SECRET = "demo-vk-secret"  # noqa: S105
FB_PAGE = "100000000000042"
IG_USER = "17841400000000042"
IG_TOKEN = "demo-ig-token"  # noqa: S105

# The Seoul shop's calendar; today becomes a holiday in it (see setup), so its DMs show the
# example rules' out-of-hours answer whenever the demo runs.
SEOUL_HOURS: dict[str, Any] = {
    "timezone": "Asia/Seoul",
    "weekly": {d: [["10:00", "19:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": [],
}

ACCOUNTS: dict[str, dict[str, Any]] = {
    "telegram": {
        "channel": "telegram",
        "name": "Acme Coffee bot (demo)",
        "token": TG_TOKEN,
        "webhook_secret": TG_SECRET,
    },
    "vk": {
        "channel": "vk",
        "name": "Acme Coffee VK (demo)",
        "group_id": VK_GROUP,
        "token": "demo-vk-token",
        "secret": VK_SECRET,
        "confirmation_code": "demo1234",
    },
    "facebook": {
        "channel": "facebook",
        "name": "Acme Coffee Page (demo)",
        "page_id": FB_PAGE,
        "token": "demo-fb-token",
        "allow_human_agent": True,  # the demo's DMs are days old; 7 days instead of 24 hours
    },
    "instagram": {
        "channel": "instagram",
        "name": "Acme Coffee Seoul (demo)",
        "ig_user_id": IG_USER,
        "token": IG_TOKEN,
        "allow_human_agent": True,
    },
}


@dataclass(frozen=True)
class Person:
    id: str  # the platform's id of the person
    first_name: str
    last_name: str = ""
    username: str = ""
    lang: str = "en"


@dataclass(frozen=True)
class Said:
    text: str
    hours_ago: float
    edited_to: str | None = None  # the customer edits it a few minutes later


@dataclass(frozen=True)
class Post:
    id: str  # Telegram: the post's copy in the discussion group; VK: wall item; Meta: object
    text: str = ""
    hours_ago: float = 0.0


@dataclass(frozen=True)
class Thread:
    """One conversation: what the customer writes, then what the team does with it."""

    channel: str
    person: Person
    said: tuple[Said, ...]
    post: Post | None = None  # set for comments
    assignee: str | None = None  # an agent's email
    reply: str | None = None  # the assignee's (or the admin's) public answer
    note: str | None = None
    labels: tuple[str, ...] = ()
    priority: str | None = None
    status: str | None = None  # "pending" | "resolved"; open otherwise
    expect: dict[str, Any] = field(default_factory=dict)  # what a rule is expected to do

    @property
    def kind(self) -> str:
        return "comment" if self.post is not None else "direct"


TG_POST = Post("1207", "New seasonal blend «Autumn» is out today. Tell us what you think! ☕", 50)
VK_POST = Post("318", "", 70)
FB_POST = Post("987654321012345", "", 40)
IG_MEDIA = Post("18012345678900042", "", 30)

ANNA, BORIS = "anna@example.com", "boris@example.com"

THREADS: tuple[Thread, ...] = (
    # --- Telegram: DMs in three languages, an edit, comments under a channel post --------
    Thread(
        "telegram",
        Person("5100000001", "Emma", "Clarke", "emma_c", "en"),
        (
            Said(
                "Hello! My order #A-1043 has not arrived yet, can you check?",
                26,
                edited_to="Hello! My order #A-1048 has not arrived yet, can you check?",
            ),
        ),
        assignee=ANNA,
        reply="Hi Emma! #A-1048 left our warehouse yesterday; it should reach you tomorrow.",
        labels=("order",),
        status="pending",
    ),
    Thread(
        "telegram",
        Person("5100000002", "Сергей", "Иванов", "sergey_iv", "ru"),
        (
            Said("Здравствуйте! Можно поменять адрес доставки для заказа #A-1051?", 20),
            Said("Новый адрес: ул. Ленина, 5, кв. 12, Казань", 19.9),
        ),
        assignee=BORIS,
        labels=("address-change",),
        priority="high",
    ),
    Thread(
        "telegram",
        Person("5100000003", "민지", "김", "minji_k", "ko"),
        (Said("안녕하세요! 원두 1kg 주문하면 배송은 얼마나 걸려요?", 5),),
    ),
    Thread(
        "telegram",
        Person("5100000004", "Tom", "Becker", "", "en"),
        (Said("Do you sell gift cards?", 60),),
        assignee=ANNA,
        reply="We do! From $25, in the shop under Gifts. They never expire.",
        status="resolved",
    ),
    Thread(
        "telegram",
        Person("5100000005", "Dmitry", "", "dima_coffee", "en"),
        (Said("Is the new blend available in 250 g packs?", 48),),
        post=TG_POST,
    ),
    Thread(
        "telegram",
        Person("5100000006", "Оля", "", "olya_m", "ru"),
        (Said("Попробовала «Осень» — очень вкусно! 🔥", 45),),
        post=TG_POST,
        labels=("feedback",),
        status="resolved",
    ),
    # --- VK: messages and wall comments (one about «доставка» for the rules) -------------
    Thread(
        "vk",
        Person("512000001", "Мария"),
        (Said("Добрый день! Вы доставляете в Казань?", 72),),
        assignee=BORIS,
        reply="Здравствуйте, Мария! Да, доставляем, обычно 2–3 дня.",
        status="resolved",
    ),
    Thread(
        "vk",
        Person("512000002", "Иван"),
        (
            Said("Здравствуйте, хотим оформить оптовый заказ для кофейни", 30),
            Said("Нужно около 20 кг в месяц, эспрессо-смесь", 29.8),
        ),
        assignee=ANNA,
        note="Send Ivan the wholesale price list and ask for the café's address.",
        labels=("wholesale",),
        priority="high",
    ),
    Thread(
        "vk",
        Person("512000003", "Екатерина"),
        (Said("Где моя доставка? Заказ #A-1060 ждём уже неделю", 10),),
        post=VK_POST,
        expect={"team": "Delivery", "label": "delivery"},
    ),
    Thread(
        "vk",
        Person("512000004", "Алексей"),
        (Said("Сколько стоит пачка 1 кг?", 66),),
        post=VK_POST,
        reply="Алексей, 1 кг — 1 900 ₽, при заказе от двух пачек доставка бесплатная.",
        status="resolved",
    ),
    Thread(
        "vk",
        Person("512000005", "Nikita"),
        (Said("Any discounts for students?", 3),),
        post=VK_POST,
    ),
    # --- Facebook: Messenger and Page comments (one with the banned word) -----------------
    Thread(
        "facebook",
        Person("7010000000000001", "Giorgi"),
        (Said("Hi! Do you ship to Tbilisi?", 8),),
        assignee=ANNA,
        reply="Hi! Yes, to Tbilisi in 5–7 days; shipping is free over $40.",
    ),
    Thread(
        "facebook",
        Person("7010000000000002", "Лена"),
        (Said("Здравствуйте, у меня аллергия на орехи. В смеси «Осень» есть орехи?", 28),),
        assignee=BORIS,
        labels=("question",),
    ),
    Thread(
        "facebook",
        Person("6200000000000001", "Nino", "Kapanadze"),
        (Said("Is this offer valid in the Vake store too?", 36),),
        post=FB_POST,
    ),
    Thread(
        "facebook",
        Person("6200000000000002", "Lucky", "Spinner"),
        (Said("Best CASINO bonus here, click my profile!!!", 34),),
        post=FB_POST,
        expect={"hidden": True, "label": "spam"},
    ),
    Thread(
        "facebook",
        Person("6200000000000003", "지훈", "박"),
        (Said("한국으로도 배송되나요?", 12),),
        post=FB_POST,
    ),
    # --- Instagram: DMs (Seoul is closed today) and comments ------------------------------
    Thread(
        "instagram",
        Person("1122330000000001", "수아"),
        (Said("빨간 머그컵 아직 있나요?", 2),),
        expect={"out_of_hours": True},
    ),
    Thread(
        "instagram",
        Person("1122330000000002", "Chloe"),
        (Said("Hi! Is the ceramic dripper back in stock?", 4),),
        assignee=ANNA,
        expect={"out_of_hours": True},
    ),
    Thread(
        "instagram",
        Person("2233440000000001", "", username="tamuna.shops"),
        (Said("Do you have this mug in blue? 💙", 14),),
        post=IG_MEDIA,
    ),
    Thread(
        "instagram",
        Person("2233440000000002", "", username="seoul.cafe.daily"),
        (Said("너무 예뻐요! 😍", 20),),
        post=IG_MEDIA,
        reply="감사합니다! 💛",
        status="resolved",
    ),
)
