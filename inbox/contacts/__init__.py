"""Contacts: the people behind conversations, their labels and per-account reachability."""
