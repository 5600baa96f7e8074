"""Notifications: the one connection per process straight to PostgreSQL (never through PgBouncer, whose
transaction pooling has no sessions to LISTEN on), LISTENing on the channel the triggers of
schemas/0009_change_notifications.sql notify and handing its payloads to the caches, and on any further channel
to its own subscriber (the change feed's waiters listen on the events channel)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any, Protocol

import asyncpg

log = logging.getLogger("factmark")
CHANNEL = "factmark_changes"


class Subscriber(Protocol):
    def changed(self, payload: str) -> None:
        """A change was committed (`key:…`, `tenant:…`, `article:…:…`)."""

    def listening(self, live: bool) -> None:
        """Notifications are now arriving (True) or may be missed from now on (False)."""


class ChangeListener:
    """Keeps one LISTEN connection open, reconnecting after `retry_s`; checks it every `probe_s` with a query,
    so a connection that died silently is noticed. Whenever notifications may have been missed (before the
    first connection, after a drop) every subscriber hears `listening(False)`, and `listening(True)` once they
    arrive again: caches drop what they hold at both moments, waiters look again. `subscriber` hears the
    change channel; `channels` names further channels and their subscribers."""

    def __init__(
        self,
        url: str | None,
        subscriber: Subscriber,
        *,
        channels: Mapping[str, Subscriber] | None = None,
        retry_s: float = 1.0,
        probe_s: float = 5.0,
        barrier_interval_s: float = 0.0005,
    ):
        self._url = url
        self._barrier_interval_s = barrier_interval_s
        self._subscribers = {CHANNEL: subscriber, **(channels or {})}
        self._retry_s = retry_s
        self._probe_s = probe_s
        self.live = False
        self._connection: asyncpg.Connection | None = None
        self._waiters: list[asyncio.Future[bool]] = []
        self._barriers: asyncio.Task[None] | None = None

    async def run(self) -> None:
        if self._url is None:  # no direct connection configured: caches fall back to their TTLs
            log.warning("no direct database connection: change notifications off, caches on short TTLs")
            return
        while True:
            try:
                await self._listen(self._url)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("change notifications interrupted (%s); retrying", exc.__class__.__name__)
            self._set_live(False)
            await asyncio.sleep(self._retry_s)

    async def _listen(self, url: str) -> None:
        connection = await asyncpg.connect(url, timeout=5, server_settings={"application_name": "factmark-listen"})
        closed = asyncio.Event()
        connection.add_termination_listener(lambda _: closed.set())
        try:
            for channel in self._subscribers:
                await connection.add_listener(channel, self._received)
            self._connection = connection
            self._set_live(True)
            while not closed.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(closed.wait(), self._probe_s)
                if not closed.is_set() and not await self.caught_up():
                    break
        finally:
            self._connection = None
            self._set_live(False)
            # The connection may be broken already: closing it is best effort.
            with contextlib.suppress(OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
                await asyncio.wait_for(connection.close(), 2)

    async def caught_up(self) -> bool:
        """Wait until every change committed before this call has reached the subscriber; False when that cannot
        be known (not listening). PostgreSQL sends a listening session its pending notifications before it reads
        the next query, so the answer to a query sent now comes after them. Callers that arrive while such a
        query is under way share the next one: one round trip on this connection serves any number of them, and
        at most one is sent every `barrier_interval_s` (0.5 ms: under load, waiting costs a little latency where a
        round trip per request would cost the CPU that serves them; at 2 ms the wait, not the CPU, bounded a hot
        read's throughput at 16 connections, docs/performance.md)."""
        if self._connection is None:
            return False
        waiter = asyncio.get_running_loop().create_future()  # its own: a waiter cancelled cancels no other
        self._waiters.append(waiter)
        if self._barriers is None:
            self._barriers = asyncio.create_task(self._send_barriers())
        return await waiter  # type: ignore[no-any-return]

    async def _send_barriers(self) -> None:
        loop = asyncio.get_running_loop()
        sent, waiters = -self._barrier_interval_s, []
        try:
            while self._waiters:
                if (wait := sent + self._barrier_interval_s - loop.time()) > 0:
                    await asyncio.sleep(wait)  # callers arriving meanwhile join this barrier
                waiters, self._waiters, sent = self._waiters, [], loop.time()
                passed = False
                if self._connection is not None:
                    with contextlib.suppress(OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
                        await self._connection.execute("SELECT", timeout=self._probe_s)  # simple protocol: one message
                        passed = True
                _resolve(waiters, passed)
        finally:  # cancelled (shutting down): nobody is left waiting
            self._barriers = None
            _resolve([*waiters, *self._waiters], False)
            self._waiters = []

    def _received(self, _connection: Any, _pid: int, channel: str, payload: str) -> None:
        self._subscribers[channel].changed(payload)

    def _set_live(self, live: bool) -> None:
        if live != self.live:
            self.live = live
            for subscriber in self._subscribers.values():
                subscriber.listening(live)


def _resolve(waiters: list[asyncio.Future[bool]], passed: bool) -> None:
    for waiter in waiters:
        if not waiter.done():
            waiter.set_result(passed)
