"""The compute runner: heavy steps run off the event loop, a bounded number at once, each with its own budget."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from service.config import Settings
from service.domain.budget import Budget
from service.errors import WorkBudgetExceeded
from service.operations.compute import Compute


async def test_work_runs_on_a_worker_thread_with_a_budget_from_the_settings():
    seen = {}

    def work(word: str, *, budget: Budget) -> str:
        seen["thread"], seen["limit"], seen["location"] = threading.get_ident(), budget.limit_ms, budget.location
        return word.upper()

    compute = Compute(Settings(work_budget_ms=1234))
    assert await compute.run(work, "riga", location="/text") == "RIGA"
    assert (seen["limit"], seen["location"]) == (1234, "/text")
    assert seen["thread"] != threading.get_ident()


async def test_no_more_than_the_configured_threads_work_at_once():
    running, most = 0, 0
    lock = threading.Lock()

    def work(*, budget: Budget) -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1

    compute = Compute(Settings(compute_threads=2))
    await asyncio.gather(*(compute.run(work) for _ in range(6)))
    assert most == 2


async def test_the_event_loop_keeps_running_while_work_runs():
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    def work(*, budget: Budget) -> int:
        time.sleep(0.3)  # stands for the work: the loop runs on while a worker thread does it
        return ticks

    task = asyncio.create_task(ticker())
    try:
        during = await Compute(Settings()).run(work)
    finally:
        task.cancel()
    assert during > 3


async def test_a_spent_budget_is_raised_to_the_caller():
    def work(*, budget: Budget) -> None:
        while True:
            budget.tick()

    with pytest.raises(WorkBudgetExceeded) as caught:
        await Compute(Settings(work_budget_ms=20)).run(work, location="/annotations/0/quote")
    assert caught.value.location == "/annotations/0/quote"
