"""REST routes under /api/v1: thin, the work is in inbox services."""
