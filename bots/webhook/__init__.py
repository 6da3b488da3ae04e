"""Outgoing webhooks: the rules' way to tell other systems about a message."""
