"""The work budget: counted on a clock, it stops a loop that runs past it with a typed error naming the field."""

from __future__ import annotations

import itertools

import pytest

from service.domain.budget import CHECK_EVERY, Budget
from service.errors import WorkBudgetExceeded


def ticking_clock(step_s: float = 0.001):
    """A clock that moves `step_s` on every reading, so a budget runs out after a known number of checks."""
    counter = itertools.count()
    return lambda: next(counter) * step_s


def test_work_within_the_budget_passes() -> None:
    budget = Budget(1000, clock=ticking_clock())
    for _ in range(CHECK_EVERY * 100):  # 100 clock readings of 1 ms: well inside 1 s
        budget.tick()


def test_work_past_the_budget_raises_naming_the_field() -> None:
    budget = Budget(10, location="/annotations/3/quote", clock=ticking_clock())
    with pytest.raises(WorkBudgetExceeded) as caught:
        for _ in range(CHECK_EVERY * 100):
            budget.tick()
    assert caught.value.status == 422
    assert caught.value.location == "/annotations/3/quote"
    assert "10 ms work budget" in caught.value.detail


def test_a_heavy_tick_counts_as_many() -> None:
    budget = Budget(5, clock=ticking_clock())
    budget.tick()  # starts the clock
    with pytest.raises(WorkBudgetExceeded):
        for _ in range(10):
            budget.tick(CHECK_EVERY)  # every tick reads the clock


def test_the_unlimited_budget_never_runs_out() -> None:
    budget = Budget.unlimited()
    for _ in range(CHECK_EVERY * 10):
        budget.tick()
