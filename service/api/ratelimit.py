"""Token buckets per server process: each API key may make `per_minute` requests a minute (bursts up to that
many), and each client address may fail authentication `per_minute` times a minute. Over a limit the answer is
429 with Retry-After."""

from __future__ import annotations

import time

# Buckets kept at most; past it, full buckets (clients that have not spent anything lately) are dropped first.
MAX_BUCKETS = 50_000


class RateLimiter:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)

    def _tokens(self, key: str, now: float) -> float:
        tokens, last = self._buckets.get(key, (float(self.per_minute), now))
        return min(float(self.per_minute), tokens + (now - last) * self.per_minute / 60.0)

    def _wait(self, tokens: float) -> float:
        return (1.0 - tokens) / (self.per_minute / 60.0)

    def retry_after(self, key: str) -> float | None:
        """Take one token for `key`; None if it had one, else the seconds until it will."""
        if self.per_minute <= 0:
            return None
        now = time.monotonic()
        tokens = self._tokens(key, now)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return self._wait(tokens)
        self._store(key, tokens - 1.0, now)
        return None

    def exhausted(self, key: str) -> float | None:
        """Without taking a token: the seconds until `key` has one again, or None if it has one now."""
        if self.per_minute <= 0 or key not in self._buckets:
            return None
        tokens = self._tokens(key, time.monotonic())
        return self._wait(tokens) if tokens < 1.0 else None

    def _store(self, key: str, tokens: float, now: float) -> None:
        if len(self._buckets) >= MAX_BUCKETS and key not in self._buckets:
            self._prune(now)
        self._buckets[key] = (tokens, now)

    def _prune(self, now: float) -> None:
        """Drop every bucket that has refilled; if none has, the oldest half (bounded memory either way)."""
        full = [key for key in self._buckets if self._tokens(key, now) >= self.per_minute]
        for key in full or sorted(self._buckets, key=lambda k: self._buckets[k][1])[: len(self._buckets) // 2]:
            del self._buckets[key]
