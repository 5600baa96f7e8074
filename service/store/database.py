"""The connection pool (the embedded PostgreSQL used when no DATABASE_URL is set is in `embedded.py`)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg

from service.config import Settings

log = logging.getLogger("factmark")


async def _prepare_connection(connection: asyncpg.Connection) -> None:
    # `json` values arrive as the bytes PostgreSQL sent: documents built in SQL go to the client untouched.
    await connection.set_type_codec("json", schema="pg_catalog", encoder=bytes, decoder=bytes, format="binary")


async def _keep_connection(connection: asyncpg.Connection) -> None:
    """Pool reset on release: nothing. Pooled connections never LISTEN, hold advisory locks or change settings
    (migrations run on their own connection), and asyncpg rolls back an open transaction anyway; the default
    reset would cost a round trip per request."""


async def create_pool(settings: Settings) -> asyncpg.Pool:
    if settings.database_url is None:
        raise RuntimeError("create_pool needs a database_url; the CLI starts the embedded server first")
    """A pool; when the database does not answer at start-up the pool starts empty and connects on demand,
    so the service comes up (answering 503) and recovers by itself once the database is back."""
    options: dict[str, Any] = {
        "max_size": settings.pool_max_size,
        "timeout": settings.connect_timeout_s,
        "command_timeout": settings.statement_timeout_ms / 1000 + 1,
        "max_inactive_connection_lifetime": 300,
        "server_settings": {"application_name": "factmark", "statement_timeout": str(settings.statement_timeout_ms)},
        "init": _prepare_connection,
        "statement_cache_size": 0 if settings.pgbouncer else 100,
        "reset": _keep_connection,
    }
    try:
        pool = await asyncpg.create_pool(settings.database_url, min_size=settings.pool_min_size, **options)
    except (TimeoutError, OSError, asyncpg.PostgresConnectionError, asyncpg.CannotConnectNowError) as exc:
        log.warning("database unavailable at start-up (%s); connecting on demand", exc.__class__.__name__)
        pool = await asyncpg.create_pool(settings.database_url, min_size=0, **options)
    assert pool is not None
    return pool


async def database_is_ready(pool: asyncpg.Pool, timeout: float = 2.0) -> bool:
    try:
        async with asyncio.timeout(timeout):
            return bool(await pool.fetchval("SELECT 1") == 1)
    except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return False
