"""The connection pool, and the embedded PostgreSQL used when no DATABASE_URL is configured."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import asyncpg

from service.config import Settings


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


async def create_pool(settings: Settings) -> asyncpg.Pool:
    if settings.database_url is None:
        raise RuntimeError("create_pool needs a database_url; the CLI starts the embedded server first")
    pool = await asyncpg.create_pool(
        settings.database_url,
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        timeout=settings.connect_timeout_s,
        command_timeout=settings.statement_timeout_ms / 1000 + 1,
        server_settings={
            "application_name": "factmark",
            "statement_timeout": str(settings.statement_timeout_ms),
        },
    )
    assert pool is not None
    return pool


async def database_is_ready(pool: asyncpg.Pool, timeout: float = 2.0) -> bool:
    try:
        async with asyncio.timeout(timeout):
            return bool(await pool.fetchval("SELECT 1") == 1)
    except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return False
