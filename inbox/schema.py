"""All tables in one metadata: imported by migrations and by tests that build the schema."""

from __future__ import annotations

from sqlmodel import SQLModel

from inbox.accounts.models import Account
from inbox.automation.models import RuleRow, RuleSetState, RuleTrace
from inbox.canned.models import CannedReply
from inbox.conversations.models import (
    AccountContact,
    Contact,
    ContactLabel,
    Conversation,
    ConversationLabel,
    Message,
)
from inbox.newsletters.models import (
    Campaign,
    CampaignRecipient,
    Segment,
    Subscription,
    SubscriptionEvent,
)
from inbox.outbox.models import OutboxRow
from inbox.queue.models import DeadEventRow, QueuedEventRow
from inbox.reporting.block_models import ReportBlock, ReportDirty
from inbox.reporting.models import Cycle, ResponseTurn, StatusChange
from inbox.reporting.sla_models import NoReplyFiring, SlaBreach, SlaPolicy
from inbox.sessions.models import WebSession
from inbox.teams.models import Team, TeamMember
from inbox.users.models import User
from inbox.users.signing_key import ServiceSecret

metadata = SQLModel.metadata

__all__ = [
    "Account",
    "AccountContact",
    "Campaign",
    "CampaignRecipient",
    "CannedReply",
    "Contact",
    "ContactLabel",
    "Conversation",
    "ConversationLabel",
    "Cycle",
    "DeadEventRow",
    "Message",
    "NoReplyFiring",
    "OutboxRow",
    "QueuedEventRow",
    "ReportBlock",
    "ReportDirty",
    "ResponseTurn",
    "RuleRow",
    "RuleSetState",
    "RuleTrace",
    "Segment",
    "ServiceSecret",
    "SlaBreach",
    "SlaPolicy",
    "StatusChange",
    "Subscription",
    "SubscriptionEvent",
    "Team",
    "TeamMember",
    "User",
    "WebSession",
    "metadata",
]
