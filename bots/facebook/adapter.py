"""The inbound half of the Meta adapters: intake key and normalisation.

Facebook Pages (``object`` "page") and Instagram accounts (``object`` "instagram") share
the envelope and the loop; they differ only in their dispatch tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bots.channel_names import Channel
from bots.facebook.dispatch import DispatchSpec, normalise_payload
from bots.facebook.entries import intake_digest, payload_object
from bots.facebook.normalise_feed import FEED_HANDLERS
from bots.facebook.normalise_instagram import (
    INSTAGRAM_CHANGE_HANDLERS,
    INSTAGRAM_MESSAGING_HANDLERS,
    classify_instagram,
)
from bots.facebook.normalise_messaging import MESSENGER_HANDLERS, classify_messenger
from bots.facebook.traits import FACEBOOK_TRAITS, INSTAGRAM_TRAITS
from inbox.events import InboundEvent, UnsupportedEvent
from inbox.platforms import PlatformTraits


class _MetaAdapter:
    channel: Channel
    traits: PlatformTraits
    _spec: DispatchSpec

    @property
    def object_name(self) -> str:
        """The envelope ``object`` this adapter accepts."""
        return self._spec.object_name

    @property
    def event_types(self) -> frozenset[str]:
        return self._spec.event_types

    def intake_key(self, payload: Mapping[str, Any]) -> str:
        """sha256 hex of the canonical single-entry payload (Meta sends no delivery id)."""
        object_name = payload_object(payload)
        if object_name != self._spec.object_name:
            raise UnsupportedEvent(object_name)
        return intake_digest(payload)

    def normalise(self, payload: Mapping[str, Any], account_external_id: str) -> list[InboundEvent]:
        return normalise_payload(self._spec, payload, account_external_id)


class FacebookAdapter(_MetaAdapter):
    """A Facebook Page: Messenger DMs plus comments from the Page ``feed``."""

    channel = Channel.FACEBOOK
    traits = FACEBOOK_TRAITS
    _spec = DispatchSpec(
        object_name="page",
        channel=Channel.FACEBOOK,
        classify_messaging=classify_messenger,
        messaging=MESSENGER_HANDLERS,
        changes=FEED_HANDLERS,
    )


class InstagramAdapter(_MetaAdapter):
    """An Instagram professional account: DMs plus ``comments`` on its media."""

    channel = Channel.INSTAGRAM
    traits = INSTAGRAM_TRAITS
    _spec = DispatchSpec(
        object_name="instagram",
        channel=Channel.INSTAGRAM,
        classify_messaging=classify_instagram,
        messaging=INSTAGRAM_MESSAGING_HANDLERS,
        changes=INSTAGRAM_CHANGE_HANDLERS,
    )
