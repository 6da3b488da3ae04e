"""Newsletters: who asked for them (subscriptions and their ledger), segments, campaigns.

A campaign freezes its audience when it starts and sends through the outbox, one idempotent
row per recipient, at each platform's pace (README.md, "Newsletters").
"""
