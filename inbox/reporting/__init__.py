"""Response and resolution time per conversation cycle, SLAs, CSAT and the reports over them.

Cycles are derived from what is stored (the messages and the status log) by a pure replay
(:mod:`inbox.reporting.cycles`), so a definition is pinned in one place and history can be
recomputed from stored timestamps (a changed business calendar, a late delivery failure).
"""
