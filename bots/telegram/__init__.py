"""Telegram Bot API channel: webhook verification and pure normalisation of updates.

aiogram is confined to this package (an import-linter contract); everything it exports is
plain :mod:`inbox.events` values.
"""
