"""The webhook queue: one article's deliveries go out one at a time, in order; those waiting behind an earlier one
are parked (out of the claim's way) and become due when it finishes, also when the write that queued them raced
the delivery before them, or when the one before them was purged."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import msgspec
import pytest

from service.domain.events import EventType, NewEvent
from service.domain.webhooks import generate_secret
from service.store import events as event_store
from service.store import keys as key_store
from service.store import webhooks as webhook_store


@pytest.fixture
async def pool(migrated: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool for the claims, as a worker has (its own connections, apart from `db`)."""
    pool = await asyncpg.create_pool(migrated, min_size=1, max_size=3)
    yield pool
    await pool.close()


async def _endpoint(db: asyncpg.Connection) -> uuid.UUID:
    tenant_id = await key_store.ensure_tenant(db, "Queue Times")
    values = {"url": "https://hooks.example.com/in", "event_types": [], "description": None, "enabled": True}
    await webhook_store.insert_endpoint(db, tenant_id, uuid.uuid4(), values, generate_secret())
    return tenant_id


async def _record(connection: asyncpg.Connection, tenant_id: uuid.UUID, article_id: uuid.UUID, count: int) -> None:
    events = [
        NewEvent(EventType.ANNOTATION_CREATED, msgspec.json.encode({"n": n}), article_id, uuid.uuid4(), 1)
        for n in range(count)
    ]
    async with connection.transaction():
        await event_store.record_events(connection, tenant_id, events)


def _result(state: str) -> webhook_store.AttemptResult:
    return webhook_store.AttemptResult(datetime.now(UTC), 200 if state == "delivered" else 503, 1.0, None, state, None)


async def _finish(connection: asyncpg.Connection, claimed: webhook_store.Claimed, state: str) -> bool:
    async with connection.transaction():
        return await webhook_store.record_attempt(connection, claimed, _result(state))


async def _parked(db: asyncpg.Connection) -> int:
    return await db.fetchval("SELECT count(*) FROM webhook_deliveries WHERE next_attempt_at = 'infinity'")


async def test_an_articles_deliveries_are_claimed_one_at_a_time_in_order(db, pool):
    tenant_id = await _endpoint(db)
    article, other = uuid.uuid4(), uuid.uuid4()
    await _record(db, tenant_id, article, 3)
    await _record(db, tenant_id, article, 2)  # a later write of the same article
    await _record(db, tenant_id, other, 1)
    assert await _parked(db) == 4  # all but each article's first
    order = [row["id"] for row in await db.fetch("SELECT id FROM events WHERE article_id = $1 ORDER BY id", article)]
    delivered = []
    for _ in range(len(order)):
        claimed = await webhook_store.claim_due(pool, 16, 30)
        assert {c.article_id for c in claimed} <= {article, other}
        mine = [c for c in claimed if c.article_id == article]
        assert len(mine) == 1  # never two of one article at once
        delivered.append(mine[0].event_id)
        assert await _finish(db, mine[0], "delivered")
    assert delivered == order
    assert await _parked(db) == 0


async def test_a_failed_delivery_lets_the_next_one_go_but_a_retry_holds_it_back(db, pool):
    tenant_id = await _endpoint(db)
    article = uuid.uuid4()
    await _record(db, tenant_id, article, 3)
    (first,) = await webhook_store.claim_due(pool, 16, 30)
    now = datetime.now(UTC)
    retry = webhook_store.AttemptResult(now, 503, 1.0, "answered 503", "pending", now)  # due again at once
    async with db.transaction():
        assert await webhook_store.record_attempt(db, first, retry)
    assert await _parked(db) == 2
    (again,) = await webhook_store.claim_due(pool, 16, 30)
    assert again.event_id == first.event_id
    assert await _finish(db, again, "failed")  # given up: the article's next event goes
    (second,) = await webhook_store.claim_due(pool, 16, 30)
    assert second.event_id > first.event_id
    assert await _parked(db) == 1


async def test_a_write_racing_the_delivery_before_it_is_not_left_parked(db, migrated, pool):
    """The writer parks its new delivery behind the article's pending head while a worker is finishing that head:
    the worker's record waits for the write to commit, and then unparks what it wrote."""
    tenant_id = await _endpoint(db)
    article = uuid.uuid4()
    await _record(db, tenant_id, article, 1)
    writer = await asyncpg.connect(migrated)
    worker = await asyncpg.connect(migrated)
    try:
        (head,) = await webhook_store.claim_due(pool, 16, 30)
        transaction = writer.transaction()
        await transaction.start()
        await event_store.record_events(
            writer, tenant_id, [NewEvent(EventType.ANNOTATION_UPDATED, b"{}", article, uuid.uuid4(), 1)]
        )
        finishing = asyncio.create_task(_finish(worker, head, "delivered"))
        await asyncio.sleep(0.3)
        assert not finishing.done()  # held by the writer's lock on the head
        await transaction.commit()
        assert await asyncio.wait_for(finishing, 10)
        assert await _parked(db) == 0
        (following,) = await webhook_store.claim_due(pool, 16, 30)
        assert following.event_id > head.event_id
    finally:
        await writer.close()
        await worker.close()


async def test_a_write_after_its_head_finished_is_due_at_once(db, pool):
    tenant_id = await _endpoint(db)
    article = uuid.uuid4()
    await _record(db, tenant_id, article, 1)
    (head,) = await webhook_store.claim_due(pool, 16, 30)
    assert await _finish(db, head, "delivered")
    await _record(db, tenant_id, article, 2)
    assert await _parked(db) == 1
    (claimed,) = await webhook_store.claim_due(pool, 16, 30)
    assert claimed.event_id > head.event_id


async def test_deliveries_stranded_by_a_purge_are_unparked(db, pool):
    tenant_id = await _endpoint(db)
    article = uuid.uuid4()
    await _record(db, tenant_id, article, 3)
    await db.execute("DELETE FROM events WHERE id = (SELECT min(id) FROM events)")  # the head, purged
    assert await webhook_store.claim_due(pool, 16, 30) == []
    assert await webhook_store.unpark_stranded(pool) == 1
    (claimed,) = await webhook_store.claim_due(pool, 16, 30)
    assert claimed.event_id == await db.fetchval("SELECT min(id) FROM events")
    assert await _parked(db) == 1
