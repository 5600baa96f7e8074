"""The pool hands connections out in the order they were asked for: under load no request is passed over by
later ones (asyncpg's own pool lets a task that asks just as a connection comes back take it first), and a
connection released twice or a timeout while waiting costs no other request its turn."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from service.store.database import create_pool


async def _pool(url: str, size: int):
    return await create_pool(
        url, min_size=size, max_size=size, connect_timeout_s=5, statement_timeout_ms=5000, pgbouncer=False
    )


async def test_connections_go_out_in_the_order_they_were_asked_for(migrated):
    pool = await _pool(migrated, 2)
    tickets = itertools.count()
    served: list[int] = []

    async def client() -> None:
        for _ in range(25):
            ticket = next(tickets)  # taken just before asking: asking involves no wait before the queue
            async with pool.acquire() as connection:
                served.append(ticket)
                await connection.fetchval("SELECT 1")

    try:
        await asyncio.gather(*(client() for _ in range(30)))
    finally:
        await pool.close()
    assert len(served) == 750
    assert served == sorted(served)  # nobody overtaken (asyncpg's pool: hundreds of overtakes here)


async def test_a_wait_that_times_out_and_a_double_release_leave_every_turn_usable(migrated):
    pool = await _pool(migrated, 1)
    try:
        held = await pool.acquire()
        with pytest.raises(TimeoutError):
            await pool.acquire(timeout=0.05)
        await pool.release(held)
        await pool.release(held)  # a second release is ignored, as asyncpg ignores it
        first = await asyncio.wait_for(pool.acquire(), 2)
        waiting = asyncio.ensure_future(pool.acquire())
        await asyncio.sleep(0.05)
        assert not waiting.done()  # one connection, one turn: the double release made no second one
        await pool.release(first)
        second = await asyncio.wait_for(waiting, 2)
        assert await second.fetchval("SELECT 2") == 2
        await pool.release(second)
    finally:
        pool.terminate()
