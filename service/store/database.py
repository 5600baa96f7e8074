"""The connection pool (the embedded PostgreSQL used when no DATABASE_URL is set is in `embedded.py`)."""

from __future__ import annotations

import asyncio
import logging
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
        pool = await asyncpg.create_pool(dsn, min_size=min_size, **options)
    except UNAVAILABLE as exc:
        log.warning("database unavailable at start-up (%s); connecting on demand", exc.__class__.__name__)
        pool = await asyncpg.create_pool(dsn, min_size=0, **options)
    assert pool is not None
    return pool


async def database_is_ready(pool: asyncpg.Pool, timeout: float = 2.0) -> bool:
    try:
        async with asyncio.timeout(timeout):
            return bool(await pool.fetchval("SELECT 1") == 1)
    except (*UNAVAILABLE, asyncpg.PostgresError):
        return False
