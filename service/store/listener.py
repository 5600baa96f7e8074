"""The change feed's waiters: requests and tasks waiting for a tenant's new events, woken by the `factmark_events`
notifications that the process's one LISTEN connection (service/store/notifications.py) hands over."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterator

_ANY = "*"


class EventListener:
    """The waiters, by tenant; a subscriber of the notification connection for the events channel. While that
    connection is down (or there is none: PgBouncer without FACTMARK_DIRECT_DATABASE_URL) `connected` is clear
    and waiters re-read every second instead of being woken."""

    def __init__(self) -> None:
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self.connected = asyncio.Event()

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

    def changed(self, payload: str) -> None:
        """A tenant (the payload) committed events."""
        self._wake(payload)

    def listening(self, live: bool) -> None:
        if live:
            self.connected.set()
            self._wake(None)  # anything committed while disconnected: everyone looks again
        else:
            self.connected.clear()

    def _wake(self, key: str | None) -> None:
        keys = list(self._waiters) if key is None else [key, _ANY]
        for name in keys:
            for signal in self._waiters.get(name, ()):
                signal.set()
