"""Webhook routes: verify, make durable, acknowledge. Nothing slow before the answer."""
