"""Hostile inputs for quote search and re-anchoring, each run in a child process (so its peak memory is its own)
with a time limit and an address-space limit: CPU time, wall time, peak memory growth, and the outcome."""

from __future__ import annotations

import json
import multiprocessing
import resource
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

from service.domain.anchoring import context_around, find_quote
from service.domain.reanchoring import StoredAnchor, reanchor
from service.errors import FactmarkError

MIB2 = 2 * 1024 * 1024
TIME_LIMIT_S = 60
MEMORY_LIMIT = 4 * 1024**3


def _word(n: int) -> str:
    """One "word" of n letters in a long non-repeating order: no spaces, no punctuation."""
    return "".join(chr(97 + (i * 7919) % 26) for i in range(n))


def _anchors(text: str, count: int, length: int) -> list[StoredAnchor]:
    step = max(1, (len(text) - length) // count)
    return [
        StoredAnchor(i, s, s + length, text[s : s + length], *context_around(text, s, s + length))
        for i, s in enumerate(range(0, len(text) - length, step))
    ][:count]


def _find(text: str, quote: str, prefix: str, suffix: str, times: int = 1) -> Callable[[], str]:
    def run() -> str:
        for _ in range(times):
            try:
                at = find_quote(text, quote, prefix, suffix, "/quote")
            except FactmarkError as error:
                body = json.dumps([e.actual for e in error.errors])
                return f"{type(error).__name__}, {len(body):,} bytes of offsets"
        return f"found at {at:,}" + (f" ({times:,} times)" if times > 1 else "")

    return run


def _reanchor(old: str, new: str, anchors: list[StoredAnchor]) -> Callable[[], str]:
    def run() -> str:
        results = reanchor(old, new, anchors)
        kept = sum(r.status != "orphaned" for r in results)
        return f"{kept} of {len(results)} placed"

    return run


def _one_letter_changed(text: str) -> str:
    return text[: len(text) // 2] + "Z" + text[len(text) // 2 + 1 :]


def _ends_changed(text: str) -> str:
    return "Z" + text[1:-1] + "Z"


def _edit(text: Callable[[], str], change: Callable[[str], str], count: int, length: int) -> Callable[[], str]:
    old = text()
    return _reanchor(old, change(old), _anchors(old, count, length))


def cases() -> list[tuple[str, Callable[[], Callable[[], str]]]]:
    """(name, a maker of the work): inputs are built in the child, outside the measurement."""
    needle = "a" * (MIB2 // 2) + "XaY" + "a" * (MIB2 // 2 - 3)
    found = [
        ('quote "a", prefix "b" on "ab" x 1 Mi', lambda: _find("ab" * (MIB2 // 2), "a", "b", "")),
        ('quote "a" on 2 MiB of "a"', lambda: _find("a" * MIB2, "a", "", "")),
        ('quote "a" x 1 Mi on 2 MiB of "a"', lambda: _find("a" * MIB2, "a" * (MIB2 // 2), "x", "")),
        ('100 x quote "a" placed by "X…Y" in 2 MiB', lambda: _find(needle, "a", "X", "Y", times=100)),
        ("quote of 2 emoji on 2 MiB of emoji", lambda: _find("\U0001f642" * MIB2, "\U0001f642" * 2, "", "")),
    ]
    words = [
        (f"re-anchor {label} one word, {what}", lambda n=n, change=change: _edit(lambda: _word(n), change, 50, 40))
        for label, n in (("120 K", 120_000), ("2 MiB", MIB2))
        for what, change in (("1 letter changed", _one_letter_changed), ("both ends changed", _ends_changed))
    ]
    units = (('"a"', "a"), ('"."', "."), ('"a\\n" lines', "a\n"), ('"a. " sentences', "a. "), ("emoji", "\U0001f642"))
    repeated = [
        (
            f"re-anchor 2 MiB of {name}, both ends changed",
            lambda u=u: _edit(lambda: u * (MIB2 // len(u)), _ends_changed, 20, 30),
        )
        for name, u in units
    ]
    return found + words + repeated


def _child(make: Callable[[], Callable[[], str]], out: Connection) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    work = make()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        outcome = work()
    except MemoryError:
        outcome = "MemoryError"
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    out.send((cpu, wall, grown / 1024, outcome))


def adversarial() -> None:
    print(f"hostile inputs (each in its own process; limits {TIME_LIMIT_S} s, {MEMORY_LIMIT // 1024**3} GiB):")
    print(f"  {'case':<54} {'cpu s':>7} {'wall s':>7} {'peak MB':>8}  outcome")
    context = multiprocessing.get_context("fork")
    for name, make in cases():
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=_child, args=(make, send))
        child.start()
        if receive.poll(TIME_LIMIT_S):
            cpu, wall, grown, outcome = receive.recv()
            print(f"  {name:<54} {cpu:>7.2f} {wall:>7.2f} {grown:>8.0f}  {outcome}")
        else:
            child.kill()
            print(f"  {name:<54} {'':>7} {'> ' + str(TIME_LIMIT_S):>7} {'':>8}  stopped after {TIME_LIMIT_S} s")
        child.join()


if __name__ == "__main__":
    adversarial()
