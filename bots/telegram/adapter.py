"""The Telegram side of the :class:`~inbox.channels.ChannelAdapter` port (inbound half)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bots.channel_names import Channel
from inbox.events import InboundEvent
from inbox.platforms import PlatformTraits

from .common import update_id
from .normalise import HANDLERS, normalise_update
from .traits import TRAITS

if TYPE_CHECKING:
    from inbox.channels import ChannelAdapter


class TelegramAdapter:
    """One instance serves every bot; the bot id arrives as ``account_external_id``."""

    channel: Channel = Channel.TELEGRAM
    traits: PlatformTraits = TRAITS

    @property
    def event_types(self) -> frozenset[str]:
        return frozenset(HANDLERS)

    def intake_key(self, payload: Mapping[str, Any]) -> str:
        """``update_id``: unique per bot, which is how Telegram says to drop redeliveries."""
        return str(update_id(payload))

    def normalise(self, payload: Mapping[str, Any], account_external_id: str) -> list[InboundEvent]:
        return normalise_update(payload, account_external_id)


if TYPE_CHECKING:
    _conforms: ChannelAdapter = TelegramAdapter()
