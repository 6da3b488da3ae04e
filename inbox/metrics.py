"""Prometheus metrics of the intake and the worker (rendered by the API at /metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

WEBHOOKS_RECEIVED = Counter(
    "omnibox_webhooks_received_total", "Webhook events accepted and made durable", ["channel"]
)
WEBHOOKS_REFUSED = Counter(
    "omnibox_webhooks_refused_total", "Webhook requests refused", ["channel", "reason"]
)
WEBHOOKS_DUPLICATE = Counter(
    "omnibox_webhooks_duplicate_total", "Redeliveries dropped at the door", ["channel"]
)
EVENTS_UNSUPPORTED = Counter(
    "omnibox_events_unsupported_total", "Events of types we do not handle", ["channel", "event"]
)
EVENTS_ANOMALOUS = Counter(
    "omnibox_events_anomalous_total", "Payloads missing what their type must carry", ["channel"]
)
EVENTS_PROCESSED = Counter(
    "omnibox_events_processed_total", "Queue items processed by the worker", ["channel"]
)
MESSAGES_STORED = Counter("omnibox_messages_stored_total", "New messages stored", ["channel"])
EVENTS_RETRIED = Counter(
    "omnibox_events_retried_total", "Queue items scheduled for another attempt", ["channel"]
)
EVENTS_PARKED = Counter(
    "omnibox_events_dead_lettered_total", "Queue items given up on", ["channel"]
)
PROCESSING_LATENCY = Histogram(
    "omnibox_processing_latency_seconds",
    "From webhook receipt to the event being stored",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
SLA_BREACHES = Counter(
    "omnibox_sla_breaches_total",
    "SLA targets missed, as the SLA deadlines job found them",
    ["metric"],
)
MAINTENANCE_FAILURES = Counter(
    "omnibox_maintenance_failures_total",
    "Rounds of a maintenance job that raised (retried after a backoff)",
    ["job"],
)
