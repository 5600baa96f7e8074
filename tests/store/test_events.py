"""The retention purge: events past retention go, in batches, with their deliveries; newer ones stay."""

from service.store import events as event_store
from tests.fixtures import riga_article


async def test_the_purge_deletes_only_events_past_retention_in_batches(client, db, monkeypatch):
    await client.post("/v1/articles", json=riga_article())
    total = await db.fetchval("SELECT count(*) FROM events")
    await db.execute(
        "UPDATE events SET occurred_at = now() - interval '40 days'"
        " WHERE id IN (SELECT id FROM events ORDER BY id LIMIT 3)"
    )
    monkeypatch.setattr(event_store, "PURGE_BATCH", 2)
    assert await event_store.purge_events(db, 30 * 86400) == 3
    assert await db.fetchval("SELECT count(*) FROM events") == total - 3
    assert await db.fetchval("SELECT count(*) FROM events WHERE occurred_at < now() - interval '30 days'") == 0
