"""The inbox's folders: ``folder=`` and ``status=`` in the URL, turned into a list filter.

Status folders (open, pending, snoozed, resolved) are the status; the others (mine,
unassigned, a channel, a team, a label) show open conversations unless ``status`` says
otherwise (``all`` for every status). Anything unknown falls back to open, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from bots.traits import ALL_TRAITS
from inbox.conversations.models import ConversationStatus
from inbox.conversations.queries import ConversationFilter

STATUSES = tuple(s.value for s in ConversationStatus)
CHANNELS = tuple(dict.fromkeys(str(t.channel) for t in ALL_TRAITS))
DEFAULT = "open"


@dataclass(frozen=True, slots=True)
class Folder:
    key: str  # the canonical ``folder=`` value
    status: str | None  # the status filter in effect, None for all
    status_choice: str  # what ``status=`` said for non-status folders ("" when a status folder)
    filter: ConversationFilter

    @property
    def is_status(self) -> bool:
        return self.key in STATUSES

    def query(self, q: str = "", **extra: str) -> str:
        """The query string that reopens this folder (and search), for links and fragments."""
        params = {"folder": self.key}
        if self.status_choice and not self.is_status:
            params["status"] = self.status_choice
        if q:
            params["q"] = q
        params.update({k: v for k, v in extra.items() if v})
        return urlencode(params)


def parse(folder: str | None, status: str | None, q: str | None, user_id: int) -> Folder:
    key = (folder or DEFAULT).strip()
    text = (q or "").strip()[:200] or None
    if key in STATUSES:
        return Folder(key, key, "", ConversationFilter(status=key, q=text))
    chosen = status if status in (*STATUSES, "all") else DEFAULT
    wanted = None if chosen == "all" else chosen
    choice = "" if chosen == DEFAULT else chosen
    kind, _, value = key.partition(":")
    if key == "mine":
        f = ConversationFilter(status=wanted, assignee_id=user_id, q=text)
    elif key == "unassigned":
        f = ConversationFilter(status=wanted, unassigned=True, q=text)
    elif kind == "channel" and value in CHANNELS:
        f = ConversationFilter(status=wanted, channel=value, q=text)
    elif kind == "team" and value.isascii() and value.isdigit() and 0 < int(value) < 2**63:
        f = ConversationFilter(status=wanted, team_id=int(value), q=text)
    elif kind == "label" and 0 < len(value) <= 64:
        f = ConversationFilter(status=wanted, label=value, q=text)
    else:
        return Folder(DEFAULT, DEFAULT, "", ConversationFilter(status=DEFAULT, q=text))
    return Folder(key, wanted, choice, f)
