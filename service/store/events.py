"""Every SQL statement that touches the change feed: recording events (with their webhook deliveries) inside
a write's transaction, reading the feed in commit order, and purging what is past retention."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from service.domain.events import EventType, NewEvent, Position
from service.event_metrics import EVENTS_WRITTEN

NOTIFY_CHANNEL = "factmark_events"
PURGE_BATCH = 1000

_UTC = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
# An event as the API shows it (feed item, SSE data, webhook body), rendered by PostgreSQL.
EVENT_DOCUMENT = f"""json_build_object(
    'id', e.id::text, 'type', e.type, 'occurred_at', {_UTC.format("e.occurred_at")}, 'article_id', e.article_id,
    'annotation_id', e.annotation_id, 'revision', e.revision, 'data', e.data)"""

# One statement records the whole batch: the events (ids in the batch's order), a delivery for every enabled
# endpoint that wants the type, and a notification (sent at commit, once per transaction and payload).
#
# A delivery that must wait for an earlier pending delivery of the same article to the same endpoint is
# *parked* (next_attempt_at = infinity), so claiming never walks past it; whoever finishes the one before it
# unparks it (store/webhooks.py: record_attempt). `heads` locks the pending head of each of the batch's
# articles FOR SHARE: a worker finishing that head waits for this transaction, and then sees (and unparks) the
# new rows; a head finished first is skipped by the lock, and the new rows are not parked.
_RECORD = """
WITH batch AS (
    SELECT * FROM unnest($2::text[], $3::uuid[], $4::uuid[], $5::int[], $6::text[]) WITH ORDINALITY
        AS b(type, article_id, annotation_id, revision, data, n)
), recorded AS (
    INSERT INTO events (tenant_id, type, article_id, annotation_id, revision, data)
    SELECT $1, type, article_id, annotation_id, revision, data::json FROM batch ORDER BY n
    RETURNING id, xid, type, article_id
), wanted AS (
    SELECT w.id AS endpoint_id, r.id, r.xid, r.article_id,
           row_number() OVER (PARTITION BY w.id, r.article_id ORDER BY r.id) AS nth
    FROM recorded r JOIN webhook_endpoints w
      ON w.tenant_id = $1 AND w.enabled AND (cardinality(w.event_types) = 0 OR r.type = ANY(w.event_types))
    WHERE r.type <> 'webhook.test'
), heads AS MATERIALIZED (
    SELECT h.endpoint_id, h.article_id
    FROM (SELECT DISTINCT endpoint_id, article_id FROM wanted WHERE article_id IS NOT NULL) g,
    LATERAL (SELECT p.endpoint_id, p.article_id FROM webhook_deliveries p
             WHERE p.tenant_id = $1 AND p.endpoint_id = g.endpoint_id AND p.article_id = g.article_id
               AND p.state = 'pending'
             ORDER BY p.event_xid, p.event_id LIMIT 1 FOR SHARE) h
), fanned AS (
    INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id, event_xid, article_id, next_attempt_at)
    SELECT $1, endpoint_id, id, xid, article_id,
           CASE WHEN article_id IS NOT NULL
                     AND (nth > 1 OR (endpoint_id, article_id) IN (SELECT endpoint_id, article_id FROM heads))
                THEN 'infinity'::timestamptz ELSE now() END
    FROM wanted
)
SELECT pg_notify($7, $1::text), (SELECT count(*) FROM heads)"""


async def record_events(connection: asyncpg.Connection, tenant_id: uuid.UUID, events: Sequence[NewEvent]) -> None:
    """Append `events` in the caller's transaction (they commit or roll back with the write they describe),
    one row each in the order given, and queue them for every webhook endpoint that asked for their type.

    A batch of 500 annotations is 500 events written by this one statement (arrays through `unnest`), so
    the cost is one round trip whatever the batch size."""
    if not events:
        return
    for event in events:
        EVENTS_WRITTEN.labels(event.type.value).inc()
    await connection.execute(
        _RECORD,
        tenant_id,
        [e.type.value for e in events],
        [e.article_id for e in events],
        [e.annotation_id for e in events],
        [e.revision for e in events],
        [e.data.decode() for e in events],
        NOTIFY_CHANNEL,
    )


# The feed orders by transaction id, which PostgreSQL assigns at a transaction's first row lock or write, and
# assigns it *before* the lock is granted: two writers of one article can take their ids in one order and the
# article's lock in the other, and their events would come out in the wrong order. A transaction-level
# advisory lock assigns no id, so every write of an article takes this one first: writers of one article pass
# it in turn, and each gets its id after the previous one committed (tests/test_events_live.py).
_ARTICLE_PLACE = "SELECT pg_advisory_xact_lock(hashtextextended($1::uuid::text || '/' || $2::uuid::text, 0))"


async def take_article_place(connection: asyncpg.Connection, tenant_id: uuid.UUID, article_id: uuid.UUID) -> None:
    """Queue this write behind the article's other writers; the first statement of its transaction."""
    await connection.execute(_ARTICLE_PLACE, tenant_id, article_id)


async def take_annotation_place(connection: asyncpg.Connection, tenant_id: uuid.UUID, annotation_id: uuid.UUID) -> None:
    """take_article_place for the article of this annotation (none if the annotation does not exist)."""
    await connection.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(tenant_id::text || '/' || article_id::text, 0))"
        " FROM annotations WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        annotation_id,
    )


@dataclass(frozen=True, slots=True)
class FeedRow:
    document: bytes
    type: str
    position: Position


@dataclass(frozen=True, slots=True)
class EventRows:
    rows: list[FeedRow]
    held_back: bool
    """Whether committed-or-running events lie past the horizon (an older transaction still runs)."""


# The horizon: every transaction with an xid below the oldest one still running has ended, so the rows below it
# are final; rows of transactions still running (or committed behind one that is) wait for the next read.
_FEED = f"""
WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
SELECT {EVENT_DOCUMENT} AS doc, e.type, e.xid::text AS xid, e.id, extract(epoch FROM e.occurred_at)::float8 AS at
FROM events e, horizon h
WHERE e.tenant_id = $1 AND e.xid < h.xmin AND (e.xid, e.id) > ($2::text::xid8, $3)
  AND ($4::text[] IS NULL OR e.type = ANY($4)) AND ($5::uuid IS NULL OR e.article_id = $5)
ORDER BY e.xid, e.id
LIMIT $6"""
_HELD_BACK = """
SELECT EXISTS (
    SELECT 1 FROM events e
    WHERE e.tenant_id = $1 AND e.xid >= pg_snapshot_xmin(pg_current_snapshot())
      AND (e.xid, e.id) > ($2::text::xid8, $3))"""


async def fetch_events_page(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    after: Position,
    limit: int,
    types: Sequence[EventType] = (),
    article_id: uuid.UUID | None = None,
) -> EventRows:
    """The tenant's events after `after` in commit order (see `_FEED`), as JSON documents."""
    rows = await connection.fetch(
        _FEED, tenant_id, str(after.xid), after.id, [t.value for t in types] or None, article_id, limit
    )
    found = [FeedRow(row["doc"], row["type"], Position(int(row["xid"]), row["id"], row["at"])) for row in rows]
    held_back = False
    if len(rows) < limit:
        where = found[-1].position if found else after
        held_back = bool(await connection.fetchval(_HELD_BACK, tenant_id, str(where.xid), where.id))
    return EventRows(found, held_back)


async def fetch_event_document(
    connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID, event_id: int
) -> bytes | None:
    document: bytes | None = await connection.fetchval(
        f"SELECT {EVENT_DOCUMENT} FROM events e WHERE e.tenant_id = $1 AND e.id = $2", tenant_id, event_id
    )
    return document


async def count_events(connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID) -> int:
    count: int = await connection.fetchval("SELECT count(*) FROM events WHERE tenant_id = $1", tenant_id)
    return count


async def purge_events(connection: asyncpg.Connection | asyncpg.Pool, retention_seconds: int) -> int:
    """Delete events past retention (their deliveries and attempts go with them) and expired stream tokens.

    In batches of PURGE_BATCH, each its own short transaction: a long delete would hold a transaction id and
    with it the feed's horizon (see _FEED) for its whole duration."""
    deleted = 0
    while True:
        status: str = await connection.execute(
            """DELETE FROM events WHERE (tenant_id, id) IN (
                   SELECT tenant_id, id FROM events WHERE occurred_at < now() - make_interval(secs => $1) LIMIT $2)""",
            retention_seconds,
            PURGE_BATCH,
        )
        count = int(status.split()[-1])
        deleted += count
        if count < PURGE_BATCH:
            break
    await connection.execute("DELETE FROM stream_tokens WHERE expires_at < now()")
    return deleted
