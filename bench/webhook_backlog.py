"""`python -m bench.webhook_backlog`: what claiming due webhook deliveries costs PostgreSQL with a backlog.

A receiver that is down or slow leaves a backlog: each article's first delivery waits for its retry and the rest
wait behind it. The queue is filled the way the service fills it (record_events, one transaction per article
batch), then each claim is timed until the heads are taken: with the waiting deliveries parked (the service) and
with the same rows unparked (the queue as it was before parking, and what the claim's anti-join alone would give),
in the same run, on the same database (embedded, or DATABASE_URL: an idle one, since claims see every tenant's
queue). Medians and spread of `--claims` claims.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid

import asyncpg

from bench.harness import Database
from service.domain.events import EventType, NewEvent
from service.domain.webhooks import generate_secret
from service.store import events as event_store
from service.store import keys as key_store
from service.store import webhooks as webhook_store

SHAPES = ((300, 17), (10, 500), (100, 500))
"""(articles, deliveries each): a busy newsroom's small batches, a few big imports, many big imports."""


async def _fill(connection: asyncpg.Connection, articles: int, each: int) -> uuid.UUID:
    """A tenant of its own with one webhook and the backlog; dropped (with all of it) by _drop."""
    tenant_id = await key_store.ensure_tenant(connection, f"Backlog Gazette {uuid.uuid4().hex[:8]}")
    values = {"url": "https://hooks.example.com/in", "event_types": [], "description": None, "enabled": True}
    await webhook_store.insert_endpoint(connection, tenant_id, uuid.uuid4(), values, generate_secret())
    for _ in range(articles):
        article_id = uuid.uuid4()
        events = [NewEvent(EventType.ANNOTATION_CREATED, b"{}", article_id, uuid.uuid4(), 1) for _ in range(each)]
        async with connection.transaction():
            await event_store.record_events(connection, tenant_id, events)
    await connection.execute("ANALYZE webhook_deliveries")
    return tenant_id


async def _drop(connection: asyncpg.Connection, tenant_id: uuid.UUID) -> None:
    await connection.execute("DELETE FROM tenants WHERE id = $1", tenant_id)


async def _claims(pool: asyncpg.Pool, count: int) -> list[float]:
    """Milliseconds per claim of up to 16 (a worker's concurrency), leases long enough to hold the heads."""
    times = []
    for _ in range(count):
        began = time.perf_counter()
        await webhook_store.claim_due(pool, 16, 600)
        times.append((time.perf_counter() - began) * 1000)
    return times


async def measure(url: str, claims: int) -> list[tuple[str, list[float], list[float]]]:
    results = []
    connection = await asyncpg.connect(url)
    pool = await asyncpg.create_pool(url, min_size=1, max_size=1)
    assert pool is not None
    try:
        for articles, each in SHAPES:
            tenant_id = await _fill(connection, articles, each)
            parked = await _claims(pool, claims)
            await _drop(connection, tenant_id)
            tenant_id = await _fill(connection, articles, each)
            await connection.execute(
                """UPDATE webhook_deliveries SET next_attempt_at = created_at
                   WHERE tenant_id = $1 AND next_attempt_at = 'infinity'""",
                tenant_id,
            )
            unparked = await _claims(pool, claims)
            await _drop(connection, tenant_id)
            results.append((f"{articles} articles x {each} pending", parked, unparked))
    finally:
        await pool.close()
        await connection.close()
    return results


def _summary(times: list[float]) -> str:
    return f"{statistics.median(times):8.2f} ({min(times):.2f}-{max(times):.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.webhook_backlog", description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=40, help="claims timed per shape (default 40)")
    args = parser.parse_args(argv)
    database = Database()
    try:
        results = asyncio.run(measure(database.url, args.claims))
    finally:
        database.close()
    print(f"{'backlog':32} {'claim ms, parked':>26} {'claim ms, unparked (before)':>30}")
    for label, parked, unparked in results:
        print(f"{label:32} {_summary(parked):>26} {_summary(unparked):>30}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
