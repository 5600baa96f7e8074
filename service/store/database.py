"""The connection pool, and the embedded PostgreSQL used when no DATABASE_URL is configured."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import asyncpg

from service.config import Settings

log = logging.getLogger("factmark")


def start_embedded(data_dir: Path) -> tuple[str, Any]:
    """Start (or join) the embedded PostgreSQL 16 of the `pgserver` wheel in `data_dir`.

    Returns its DSN and the server handle; the server stops when the last process holding a handle exits.
    """
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(  # type: ignore[attr-defined]
        data_dir.resolve(), cleanup_mode="stop"
    )
    return server.get_uri(), server


async def _prepare_connection(connection: asyncpg.Connection) -> None:
    # `json` values arrive as the bytes PostgreSQL sent: documents built in SQL go to the client untouched.
    await connection.set_type_codec("json", schema="pg_catalog", encoder=bytes, decoder=bytes, format="binary")


async def _keep_connection(connection: asyncpg.Connection) -> None:
    """Pool reset on release: nothing. Pooled connections never LISTEN, hold advisory locks or change settings
    (migrations run on their own connection), and asyncpg rolls back an open transaction anyway; the default
    reset would cost a round trip per request."""


def pool_options(settings: Settings) -> dict[str, Any]:
    """asyncpg pool options. Behind PgBouncer in transaction mode (its default settings) consecutive statements
    may run on different server connections, and PgBouncer refuses startup parameters it does not track: so no
    server-side statement cache (asyncpg then sends each statement unnamed, parse to execute in one go) and no
    `statement_timeout` at start-up; asyncpg's `command_timeout` still cancels a runaway statement from the
    client, and the role's own `statement_timeout` (docs/scaling.md) bounds it on the server."""
    server_settings = {"application_name": "factmark"}
    if not settings.pgbouncer:
        server_settings["statement_timeout"] = str(settings.statement_timeout_ms)
    return {
        "max_size": settings.pool_max_size,
        "timeout": settings.connect_timeout_s,
        "command_timeout": settings.statement_timeout_ms / 1000 + 1,
        "max_inactive_connection_lifetime": 300,
        "server_settings": server_settings,
        "init": _prepare_connection,
        "statement_cache_size": 0 if settings.pgbouncer else 100,
        "reset": _keep_connection,
    }


async def create_pool(settings: Settings) -> asyncpg.Pool:
    """A pool; when the database does not answer at start-up the pool starts empty and connects on demand,
    so the service comes up (answering 503) and recovers by itself once the database is back."""
    if settings.database_url is None:
        raise RuntimeError("create_pool needs a database_url; the CLI starts the embedded server first")
    options = pool_options(settings)
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
