"""Runs the CPU-heavy domain steps of an operation (locating quotes, re-anchoring) on worker threads, a few at a
time and each within the request's work budget, so the event loop keeps answering every other request meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from service.config import Settings
from service.domain.budget import Budget

T = TypeVar("T")


class Compute:
    """One per app: at most `compute_threads` heavy steps run at once (more wait for a thread, which costs them
    no budget), and each gets a fresh Budget of `work_budget_ms` of its own thread's CPU time."""

    __slots__ = ("_limiter", "budget_ms")

    def __init__(self, settings: Settings) -> None:
        self._limiter = anyio.CapacityLimiter(settings.compute_threads)
        self.budget_ms = settings.work_budget_ms

    async def run(self, fn: Callable[..., T], *args: Any, location: str = "") -> T:
        """`fn(*args, budget=...)` on a worker thread; its WorkBudgetExceeded (or any error) is raised here."""

        def work() -> T:
            return fn(*args, budget=Budget(self.budget_ms, location=location))

        return await anyio.to_thread.run_sync(work, limiter=self._limiter)
