"""Facebook (Messenger + Page feed) and Instagram: verify and normalise Meta webhooks.

Both platforms share one webhook envelope (``{"object", "entry": [...]}``), so they share
this package: ``verify`` guards the door, ``entries`` splits a batch for routing, the
``normalise_*`` modules hold one dispatch table per Meta field family, and ``adapter`` wires
them into :class:`FacebookAdapter` and :class:`InstagramAdapter`.
"""

from bots.facebook.adapter import FacebookAdapter, InstagramAdapter
from bots.facebook.entries import split_entries
from bots.facebook.verify import verify_handshake, verify_signature

__all__ = [
    "FacebookAdapter",
    "InstagramAdapter",
    "split_entries",
    "verify_handshake",
    "verify_signature",
]
