"""The pool behind PgBouncer with its default settings (transaction pooling), and what needs a direct session."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from service.store.database import create_pool
from service.store.notifications import CHANNEL, ChangeListener
from tests.live_server import factmark


async def _pool_through(pgbouncer_url: str, statement_timeout_ms: int = 15_000) -> asyncpg.Pool:
    return await create_pool(
        pgbouncer_url, min_size=2, max_size=8, connect_timeout_s=5, statement_timeout_ms=statement_timeout_ms,
        pgbouncer=True,
    )  # fmt: skip


async def test_pgbouncer_refuses_startup_settings_which_the_pool_therefore_does_not_send(
    pgbouncer_url: str, migrated: str
) -> None:
    with pytest.raises(asyncpg.PostgresError, match="unsupported startup parameter"):
        await asyncpg.connect(pgbouncer_url, server_settings={"statement_timeout": "1000"})
    pool = await _pool_through(pgbouncer_url)
    try:
        # Many statements from many tasks at once: each may run on another server connection.
        answers = await asyncio.gather(*(pool.fetchval("SELECT $1::int + 1", n) for n in range(200)))
        assert answers == [n + 1 for n in range(200)]
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute("CREATE TEMP TABLE scratch (n int) ON COMMIT DROP")
            await connection.copy_records_to_table("scratch", records=[(1,), (2,)])
            assert await connection.fetchval("SELECT sum(n) FROM scratch") == 3
    finally:
        await pool.close()


async def test_a_runaway_statement_is_cancelled_through_pgbouncer(pgbouncer_url: str, migrated: str) -> None:
    pool = await _pool_through(pgbouncer_url, statement_timeout_ms=200)
    try:
        with pytest.raises(TimeoutError):
            await pool.fetchval("SELECT pg_sleep(5)")
        assert await pool.fetchval("SELECT 1") == 1  # the server connection was cancelled, not left busy
    finally:
        await pool.close()


class _Heard:
    def __init__(self) -> None:
        self.payloads: list[str] = []
        self.live = asyncio.Event()

    def changed(self, payload: str) -> None:
        self.payloads.append(payload)

    def listening(self, live: bool) -> None:
        if live:
            self.live.set()


async def test_notifications_sent_through_pgbouncer_reach_a_listener_on_the_direct_connection(
    pgbouncer_url: str, migrated: str
) -> None:
    heard = _Heard()
    listener = ChangeListener(migrated, heard)
    task = asyncio.create_task(listener.run())
    try:
        await asyncio.wait_for(heard.live.wait(), 10)
        sender = await asyncpg.connect(pgbouncer_url, statement_cache_size=0)
        try:
            await sender.execute(f"SELECT pg_notify('{CHANNEL}', 'key:abc')")
        finally:
            await sender.close()
        assert await listener.caught_up()
        assert heard.payloads == ["key:abc"]
    finally:
        task.cancel()


def test_serving_through_pgbouncer_needs_a_direct_connection(pgbouncer_url: str) -> None:
    done = factmark(pgbouncer_url, "migrate", env={"FACTMARK_PGBOUNCER": "true"})
    assert done.returncode != 0
    assert "FACTMARK_DIRECT_DATABASE_URL" in done.stderr


def test_migrations_run_on_the_direct_connection(pgbouncer_url: str, migrated: str) -> None:
    done = factmark(
        pgbouncer_url, "migrate", env={"FACTMARK_PGBOUNCER": "true", "FACTMARK_DIRECT_DATABASE_URL": migrated}
    )
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout
