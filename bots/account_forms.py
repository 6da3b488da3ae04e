"""The forms that connect an account, one per platform, as one discriminated union.

The REST API (``POST /api/v1/accounts``) and ``omnibox account add`` validate against it, so
a new platform's form (``bots/<name>/account_form.py``) is listed here and nowhere else.
Loaded without the platforms' client libraries, like ``bots/traits.py``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, TypeAdapter

from bots.facebook.account_form import FacebookAccountIn, InstagramAccountIn
from bots.telegram.account_form import TelegramAccountIn
from bots.vk.account_form import VkAccountIn

ALL_FORMS = (TelegramAccountIn, VkAccountIn, FacebookAccountIn, InstagramAccountIn)

AccountIn = Annotated[
    TelegramAccountIn | VkAccountIn | FacebookAccountIn | InstagramAccountIn,
    Field(discriminator="channel"),
]

ACCOUNT_IN: TypeAdapter[AccountIn] = TypeAdapter(AccountIn)
