"""Sign-in throttling, checked before any password is hashed (a hash costs ~150 ms of CPU):
N attempts per 5 minutes per client address and M per 15 minutes per email, in GCRA buckets
local to the process or shared through Redis by every API process."""

from __future__ import annotations

import hashlib

from inbox.ratelimit import Limit, RateLimiter


class LoginGuard:
    def __init__(self, limiter: RateLimiter, *, per_ip: int, per_email: int) -> None:
        self._limiter = limiter
        self._per_ip = per_ip
        self._per_email = per_email

    async def admit(self, ip: str, email: str) -> float:
        """0.0 when this attempt may go on; else the seconds to wait (nothing is taken)."""
        digest = hashlib.sha256(email.strip().casefold().encode()).hexdigest()[:32]
        limits = (
            Limit(f"login:ip:{ip}", self._per_ip / 300.0, burst=self._per_ip),
            Limit(f"login:email:{digest}", self._per_email / 900.0, burst=self._per_email),
        )
        for limit in limits:
            wait = await self._limiter.try_acquire(limit)
            if wait > 0:
                return wait
        return 0.0
