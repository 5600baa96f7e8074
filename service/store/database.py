"""The connection pool (the embedded PostgreSQL used when no DATABASE_URL is set is in `embedded.py`)."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import asyncpg

log = logging.getLogger("factmark")

# What "the database is unavailable" means, decided here once: connection failures, timeouts, a server that
# refuses connections or is shutting down. Everything else from asyncpg is a bug or a constraint (see problems.py).
UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,  # ConnectionError included
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.InterfaceError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
)


async def _prepare_connection(connection: asyncpg.Connection) -> None:
    # `json` values arrive as the bytes PostgreSQL sent: documents built in SQL go to the client untouched.
    await connection.set_type_codec("json", schema="pg_catalog", encoder=bytes, decoder=bytes, format="binary")


async def _keep_connection(connection: asyncpg.Connection) -> None:
    """Pool reset on release: nothing. Pooled connections never LISTEN, hold advisory locks or change settings
    (migrations run on their own connection), and asyncpg rolls back an open transaction anyway; the default
    reset would cost a round trip per request."""


class FairPool(asyncpg.Pool):  # type: ignore[misc]  # asyncpg ships no types: Pool is Any
    """asyncpg's pool, handing connections out in the order they were asked for. Its own queue does not: a
    released connection wakes the first waiting task, but a task that asks before that one runs takes it, so
    under load a request can be passed over again and again (at 64 connections a cold read's p99 was 290–350 ms
    against a median of 15, docs/performance.md). Here a FIFO semaphore of `max_size` turns (asyncio's is fair
    since Python 3.11.1) comes first: a turn is free exactly when a connection is, and turns go in order."""

    __slots__ = ("_lent", "_turns")

    def __init__(self, dsn: str, *, max_size: int, **options: Any) -> None:
        super().__init__(dsn, max_size=max_size, **options)
        self._turns = asyncio.Semaphore(max_size)
        self._lent: set[Any] = set()

    async def _acquire(self, timeout: float | None) -> Any:
        began = time.monotonic()
        await asyncio.wait_for(self._turns.acquire(), timeout)
        try:
            left = None if timeout is None else max(0.001, timeout - (time.monotonic() - began))
            connection = await super()._acquire(left)
        except BaseException:
            self._turns.release()
            raise
        self._lent.add(connection)
        return connection

    async def release(self, connection: Any, *, timeout: float | None = None) -> None:
        try:
            await super().release(connection, timeout=timeout)
        finally:
            if connection in self._lent:  # a connection of this pool, released the first time: its turn is free
                self._lent.discard(connection)
                self._turns.release()


async def create_pool(
    dsn: str,
    *,
    min_size: int,
    max_size: int,
    connect_timeout_s: float,
    statement_timeout_ms: int,
    pgbouncer: bool,
) -> asyncpg.Pool:
    """A pool; when the database does not answer at start-up the pool starts empty and connects on demand,
    so the service comes up (answering 503) and recovers by itself once the database is back.

    Behind PgBouncer in transaction mode (its default settings) consecutive statements may run on different
    server connections, and PgBouncer refuses startup parameters it does not track: so no server-side statement
    cache (asyncpg then sends each statement unnamed, parse to execute before one Sync) and no `statement_timeout`
    at start-up; asyncpg's `command_timeout` still cancels a runaway statement from the client, and the role's
    own `statement_timeout` (docs/scaling.md) bounds it on the server."""
    server_settings = {"application_name": "factmark"}
    if not pgbouncer:
        server_settings["statement_timeout"] = str(statement_timeout_ms)
    options: dict[str, Any] = {
        # asyncpg.create_pool's own defaults, which the Pool constructor wants spelled out
        "max_queries": 50000,
        "loop": None,
        "connection_class": asyncpg.Connection,
        "record_class": asyncpg.Record,
        "max_size": max_size,
        "timeout": connect_timeout_s,
        "command_timeout": statement_timeout_ms / 1000 + 1,
        "max_inactive_connection_lifetime": 300,
        "server_settings": server_settings,
        "init": _prepare_connection,
        "statement_cache_size": 0 if pgbouncer else 100,
        "reset": _keep_connection,
    }
    try:
        return await FairPool(dsn, min_size=min_size, **options)
    except UNAVAILABLE as exc:
        log.warning("database unavailable at start-up (%s); connecting on demand", exc.__class__.__name__)
        return await FairPool(dsn, min_size=0, **options)


async def database_is_ready(pool: asyncpg.Pool, timeout: float = 2.0) -> bool:
    try:
        async with asyncio.timeout(timeout):
            return bool(await pool.fetchval("SELECT 1") == 1)
    except (*UNAVAILABLE, asyncpg.PostgresError):
        return False
