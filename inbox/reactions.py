"""The one list of what follows a change, in the order it runs (see :mod:`inbox.changes`).

Services below record what they changed; the owner of each transaction runs this list on it
before committing: the API request (``api/deps.py:get_changes``), the worker after each event
(``worker/loop.py``), the outbox sender's group commit (``outbox/outcomes.py:record``) and
the maintenance jobs (SLA firings, snooze wake-ups). The composition root builds it once
(``api/runtime.py``) and hands the same list to all of them.

The order matters within a round: the metric cycles are replayed before the CSAT survey
looks for the cycle a resolve closed; newsletter signals and a campaign reply's label are
written before the rules read the contact's subscription and the conversation's labels.
"""

from __future__ import annotations

from inbox.automation.runner import Automation
from inbox.changes import Reaction, Reactions
from inbox.conversations.service import forget_team
from inbox.newsletters.delivery import (
    label_campaign_reply,
    opt_out_unreachable,
    record_campaign_outcome,
)
from inbox.newsletters.signals import take_signals
from inbox.reporting.csat import ask_csat_after_resolve
from inbox.reporting.recorder import record_metrics


def compose(automation: Automation | None = None) -> Reactions:
    """The reactions, with the rules when ``automation`` is given (its rule book is cached
    per process, so there is one)."""
    rules: tuple[Reaction, ...] = (automation.run_rules,) if automation is not None else ()
    return Reactions(
        record_metrics,  # cycles and turns (a status change logged first): reporting
        take_signals,  # opt-in / opt-out by button, keyword or command: newsletters
        label_campaign_reply,  # a reply to a recent campaign labelled with it: newsletters
        *rules,  # the rules on a customer's new message: automation
        ask_csat_after_resolve,  # the survey after a resolve: reporting
        record_campaign_outcome,  # a campaign recipient sent / failed: newsletters
        opt_out_unreachable,  # a send found the person gone: newsletters
        forget_team,  # a deleted team's conversations: conversations
    )
