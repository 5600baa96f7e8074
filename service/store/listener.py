"""LISTEN for new events on one dedicated connection per process (not a pooled one: PgBouncer in transaction
mode cannot carry LISTEN) and wake the requests and tasks waiting for a tenant's events."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Iterator

import asyncpg

from service.store.events import NOTIFY_CHANNEL

log = logging.getLogger("factmark.events")
_ANY = "*"


class EventListener:
    """Holds the LISTEN connection (reconnecting when it drops) and the waiters, by tenant."""

    def __init__(self, dsn: str | None, reconnect_seconds: float = 1.0) -> None:
        self._dsn = dsn
        self._reconnect_seconds = reconnect_seconds
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def start(self) -> None:
        """Listen, unless there is no direct connection (PgBouncer without FACTMARK_DIRECT_DATABASE_URL): then
        waiters re-read every second instead of being woken."""
        if self._dsn is not None:
            self._task = asyncio.create_task(self._run())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @contextlib.contextmanager
    def subscription(self, tenant_id: uuid.UUID | None) -> Iterator[asyncio.Event]:
        """An asyncio.Event set when the tenant (None: any tenant) commits events. Subscribe before reading the
        feed, so that a commit between the read and the wait is not missed."""
        key = _ANY if tenant_id is None else str(tenant_id)
        signal = asyncio.Event()
        self._waiters.setdefault(key, set()).add(signal)
        try:
            yield signal
        finally:
            waiting = self._waiters.get(key)
            if waiting is not None:
                waiting.discard(signal)
                if not waiting:
                    del self._waiters[key]

    def _wake(self, key: str | None) -> None:
        keys = list(self._waiters) if key is None else [key, _ANY]
        for name in keys:
            for signal in self._waiters.get(name, ()):
                signal.set()

    def _notified(self, connection: object, pid: int, channel: str, payload: str) -> None:
        self._wake(payload)

    async def _run(self) -> None:
        while True:
            try:
                connection = await asyncpg.connect(str(self._dsn), timeout=5)
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                log.warning("event listener cannot connect (%s); retrying", exc.__class__.__name__)
                await asyncio.sleep(self._reconnect_seconds)
                continue
            try:
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _, lost=lost: lost.set())
                await connection.add_listener(NOTIFY_CHANNEL, self._notified)
                self.connected.set()
                self._wake(None)  # anything committed while disconnected: everyone looks again
                await lost.wait()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("event listener lost its connection (%s)", exc.__class__.__name__)
            finally:
                self.connected.clear()
                if not connection.is_closed():
                    await connection.close(timeout=2)
            await asyncio.sleep(self._reconnect_seconds)
