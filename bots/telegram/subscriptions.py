"""Telegram's own newsletter signals, as :class:`~inbox.events.SubscriptionSignal` values.

Bot commands in a message (``/start``, ``/start <deep-link param>``, ``/stop@bot``...) and
blocking or unblocking the bot (``my_chat_member``, the only opt-out Telegram reports). The
ledger's ``method`` names are kept from the first version, so older rows read the same.
"""

from __future__ import annotations

from inbox.events import SubscriptionSignal

_COMMANDS = {
    "/start": (True, "telegram_start"),
    "/subscribe": (True, "command"),
    "/stop": (False, "command"),
    "/unsubscribe": (False, "command"),
}
BLOCKED = SubscriptionSignal(opt_in=False, method="telegram_blocked")
UNBLOCKED = SubscriptionSignal(opt_in=True, method="telegram_unblocked")


def command_signal(text: str) -> SubscriptionSignal | None:
    """The signal of a command text; the source is ``/start``'s deep-link param (None without
    one), or the command itself."""
    if not text.startswith("/"):
        return None
    head, _, rest = text.strip().partition(" ")
    name = head.split("@", 1)[0].casefold()
    found = _COMMANDS.get(name)
    if found is None:
        return None
    opt_in, method = found
    source = (rest.strip() or None) if name == "/start" else name
    return SubscriptionSignal(opt_in=opt_in, method=method, source=source)
