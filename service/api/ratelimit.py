"""A per-key token bucket: each API key may make `per_minute` requests a minute (bursts up to that many),
per server process. Over the limit the answer is 429 with Retry-After."""

from __future__ import annotations

import time


class RateLimiter:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._buckets: dict[str, tuple[float, float]] = {}  # key id -> (tokens, last refill)

    def retry_after(self, key_id: str) -> float | None:
        """Take one token for `key_id`; None if it had one, else the seconds until it will."""
        if self.per_minute <= 0:
            return None
        now = time.monotonic()
        rate = self.per_minute / 60.0
        tokens, last = self._buckets.get(key_id, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - last) * rate)
        if tokens < 1.0:
            self._buckets[key_id] = (tokens, now)
            return (1.0 - tokens) / rate
        self._buckets[key_id] = (tokens - 1.0, now)
        return None
