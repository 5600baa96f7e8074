"""A work budget for one request's CPU-heavy steps (quote search, re-anchoring): the loops call `tick()`, and
past the budget it raises `WorkBudgetExceeded` instead of letting one request hold a core for minutes."""

from __future__ import annotations

import time
from collections.abc import Callable

from service.errors import WorkBudgetExceeded

# The clock is read once every this many ticks: a tick costs a counter increment, a clock read ~0.1 µs more.
CHECK_EVERY = 64


class Budget:
    """CPU time one piece of work may take, counted on the thread that does it (`time.thread_time`), so time
    spent waiting for a worker thread or for the interpreter lock behind other requests does not count.

    The clock starts at the first `tick()`, on the thread that ticks: make one Budget per piece of work.
    """

    __slots__ = ("_clock", "_deadline", "_ticks", "limit_ms", "location")

    def __init__(self, limit_ms: float, *, location: str = "", clock: Callable[[], float] = time.thread_time) -> None:
        self.limit_ms = limit_ms
        # The input field being worked on (a JSON pointer), named by the error; callers move it along.
        self.location = location
        self._clock = clock
        self._deadline: float | None = None
        self._ticks = 0

    @classmethod
    def unlimited(cls) -> Budget:
        return cls(float("inf"))

    def tick(self, weight: int = 1) -> None:
        """Count `weight` units of work; every CHECK_EVERY of them, look at the clock."""
        self._ticks += weight
        if self._ticks < CHECK_EVERY and self._deadline is not None:
            return
        self._ticks = 0
        now = self._clock()
        if self._deadline is None:
            self._deadline = now + self.limit_ms / 1000
        elif now > self._deadline:
            raise WorkBudgetExceeded(self.location, self.limit_ms)
