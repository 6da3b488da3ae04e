"""One package per platform: verify and normalise inbound events (and, later, send)."""
