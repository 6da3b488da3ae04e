"""The durable queue between the webhook routes and the workers.

Two backends behind one interface (:class:`~inbox.queue.base.EventQueue`): the embedded one
keeps events in the database (the default; nothing else to run), the Redis Streams one uses
consumer groups for many API and worker processes. Both are at-least-once: the worker's
writes are idempotent, so a redelivery costs work, never a duplicate.
"""
