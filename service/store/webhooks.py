"""Every SQL statement that touches webhook endpoints, their delivery queue and the attempts log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from service.store.events import EVENT_DOCUMENT, NOTIFY_CHANNEL
from service.wire_events import Webhook

_COLUMNS = """id, url, event_types, description, enabled, disabled_reason,
    CASE WHEN previous_secret_until > now() THEN previous_secret_until END AS previous_secret_until,
    version, created_at, updated_at"""
_FIELDS = tuple(Webhook.__struct_fields__)
# Columns a PATCH may set: the whitelist of the dynamic UPDATE.
UPDATABLE = frozenset({"url", "event_types", "description", "enabled"})


def to_webhook(row: asyncpg.Record) -> Webhook:
    return Webhook(**{name: row[name] for name in _FIELDS})


async def insert_endpoint(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    values: dict[str, Any],
    secret: str,
) -> Webhook:
    row = await connection.fetchrow(
        f"""INSERT INTO webhook_endpoints (tenant_id, id, url, event_types, description, enabled, secret)
            VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {_COLUMNS}""",
        tenant_id, endpoint_id, values["url"], values["event_types"], values["description"], values["enabled"],
        secret,
    )  # fmt: skip
    assert row is not None
    return to_webhook(row)


async def fetch_endpoint(
    connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID, endpoint_id: uuid.UUID
) -> Webhook | None:
    row = await connection.fetchrow(
        f"SELECT {_COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2", tenant_id, endpoint_id
    )
    return None if row is None else to_webhook(row)


async def fetch_endpoints(connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID) -> list[Webhook]:
    rows = await connection.fetch(
        f"SELECT {_COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 ORDER BY created_at, id", tenant_id
    )
    return [to_webhook(row) for row in rows]


async def lock_endpoint(connection: asyncpg.Connection, tenant_id: uuid.UUID, endpoint_id: uuid.UUID) -> Webhook | None:
    row = await connection.fetchrow(
        f"SELECT {_COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2 FOR UPDATE", tenant_id, endpoint_id
    )
    return None if row is None else to_webhook(row)


async def update_endpoint(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, endpoint_id: uuid.UUID, changes: dict[str, Any]
) -> Webhook:
    """Set the given columns (names from UPDATABLE only); enabling again clears the failure record."""
    names = sorted(changes)
    assert set(names) <= UPDATABLE
    sets = "".join(f", {name} = ${index}" for index, name in enumerate(names, start=3))
    if changes.get("enabled") is True:
        sets += ", disabled_reason = NULL, failing_since = NULL"
    row = await connection.fetchrow(
        f"""UPDATE webhook_endpoints SET version = version + 1, updated_at = now(){sets}
            WHERE tenant_id = $1 AND id = $2 RETURNING {_COLUMNS}""",
        tenant_id,
        endpoint_id,
        *(changes[name] for name in names),
    )
    assert row is not None
    return to_webhook(row)


async def rotate_secret(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, endpoint_id: uuid.UUID, secret: str, overlap_seconds: int
) -> Webhook | None:
    row = await connection.fetchrow(
        f"""UPDATE webhook_endpoints
            SET previous_secret = secret, previous_secret_until = now() + make_interval(secs => $4), secret = $3,
                version = version + 1, updated_at = now()
            WHERE tenant_id = $1 AND id = $2 RETURNING {_COLUMNS}""",
        tenant_id,
        endpoint_id,
        secret,
        overlap_seconds,
    )
    return None if row is None else to_webhook(row)


async def delete_endpoint(connection: asyncpg.Connection, tenant_id: uuid.UUID, endpoint_id: uuid.UUID) -> None:
    await connection.execute("DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2", tenant_id, endpoint_id)


async def queue_test(
    connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID, endpoint_id: uuid.UUID, data: bytes
) -> int:
    """Record a `webhook.test` event and queue it for this endpoint alone; returns the event's id."""
    event_id: int = await connection.fetchval(
        """WITH recorded AS (
               INSERT INTO events (tenant_id, type, data) VALUES ($1, 'webhook.test', $3::text::json)
               RETURNING id, xid
           ), queued AS (
               INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id, event_xid)
               SELECT $1, $2, id, xid FROM recorded
           )
           SELECT id FROM recorded, pg_notify($4, $1::text)""",
        tenant_id,
        endpoint_id,
        data.decode(),
        NOTIFY_CHANNEL,
    )
    return event_id


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery claimed for one attempt: its lease runs until `next_attempt_at` of the claim."""

    tenant_id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: int
    attempt: int
    url: str
    secrets: tuple[str, ...]
    body: bytes
    occurred_at: datetime
    article_id: uuid.UUID | None


# Due deliveries whose events are final (below the horizon, see store/events.py) and that no earlier pending
# delivery of the same article to the same endpoint precedes: one article's events go out in order. An attempt
# in flight stays `pending`, so it holds back the article's later events on every worker. The later ones are
# normally parked (next_attempt_at = infinity, see store/events.py), so the scan meets only heads; the NOT
# EXISTS keeps the order even for one that is not.
_CLAIM = f"""
WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
due AS (
    SELECT d.tenant_id, d.endpoint_id, d.event_id
    FROM webhook_deliveries d, horizon h
    WHERE d.state = 'pending' AND d.next_attempt_at <= now() AND d.event_xid < h.xmin
      AND EXISTS (SELECT 1 FROM webhook_endpoints w
                  WHERE w.tenant_id = d.tenant_id AND w.id = d.endpoint_id AND w.enabled)
      AND NOT EXISTS (
          SELECT 1 FROM webhook_deliveries p
          WHERE p.tenant_id = d.tenant_id AND p.endpoint_id = d.endpoint_id AND p.article_id = d.article_id
            AND p.state = 'pending' AND (p.event_xid, p.event_id) < (d.event_xid, d.event_id))
    ORDER BY d.next_attempt_at
    LIMIT $1
    FOR UPDATE OF d SKIP LOCKED
)
UPDATE webhook_deliveries d
SET next_attempt_at = now() + make_interval(secs => $2), attempts = d.attempts + 1
FROM due, webhook_endpoints w, events e
WHERE d.tenant_id = due.tenant_id AND d.endpoint_id = due.endpoint_id AND d.event_id = due.event_id
  AND w.tenant_id = d.tenant_id AND w.id = d.endpoint_id AND w.enabled
  AND e.tenant_id = d.tenant_id AND e.id = d.event_id
RETURNING d.tenant_id, d.endpoint_id, d.event_id, d.article_id, d.attempts, w.url, w.secret,
    CASE WHEN w.previous_secret_until > now() THEN w.previous_secret END AS previous_secret,
    {EVENT_DOCUMENT} AS body, e.occurred_at"""


async def claim_due(pool: asyncpg.Pool, limit: int, lease_seconds: float) -> list[Claimed]:
    """Claim up to `limit` due deliveries for one attempt each; a worker that dies mid-attempt loses only its
    lease: the delivery is due again when the lease ends."""
    rows = await pool.fetch(_CLAIM, limit, lease_seconds)
    return [_claimed(row) for row in rows]


def _claimed(row: asyncpg.Record) -> Claimed:
    secrets = tuple(s for s in (row["secret"], row["previous_secret"]) if s)
    return Claimed(
        row["tenant_id"], row["endpoint_id"], row["event_id"], row["attempts"], row["url"], secrets, row["body"],
        row["occurred_at"], row["article_id"],
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class AttemptResult:
    attempted_at: datetime
    status_code: int | None
    duration_ms: float
    error: str | None
    state: str
    """The delivery's state after it: pending (retry at next_attempt_at), delivered or failed."""
    next_attempt_at: datetime | None


async def record_attempt(connection: asyncpg.Connection, claimed: Claimed, result: AttemptResult) -> bool:
    """Log the attempt and move the delivery on, unless its lease ran out and another worker took it over
    (then only the log line is kept). Returns whether the delivery was still this attempt's."""
    await connection.execute(
        """INSERT INTO webhook_attempts (tenant_id, endpoint_id, event_id, attempt, attempted_at, status_code,
                                         duration_ms, error, next_attempt_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT DO NOTHING""",
        claimed.tenant_id, claimed.endpoint_id, claimed.event_id, claimed.attempt, result.attempted_at,
        result.status_code, result.duration_ms, result.error, result.next_attempt_at,
    )  # fmt: skip
    status: str = await connection.execute(
        """UPDATE webhook_deliveries
           SET state = $5, next_attempt_at = coalesce($6, next_attempt_at),
               finished_at = CASE WHEN $5 = 'pending' THEN NULL ELSE now() END
           WHERE tenant_id = $1 AND endpoint_id = $2 AND event_id = $3 AND attempts = $4 AND state = 'pending'""",
        claimed.tenant_id, claimed.endpoint_id, claimed.event_id, claimed.attempt, result.state,
        result.next_attempt_at,
    )  # fmt: skip
    if not status.endswith(" 1"):
        return False
    if result.state != "pending" and claimed.article_id is not None:
        await unpark_next(connection, claimed.tenant_id, claimed.endpoint_id, claimed.article_id)
    return True


async def unpark_next(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, endpoint_id: uuid.UUID, article_id: uuid.UUID
) -> None:
    """Make the article's next pending delivery to the endpoint due, if it was parked behind the one just
    finished (a statement of its own: it must see rows committed while the finishing UPDATE waited)."""
    await connection.execute(
        """UPDATE webhook_deliveries SET next_attempt_at = now()
           WHERE tenant_id = $1 AND endpoint_id = $2 AND next_attempt_at = 'infinity' AND event_id = (
               SELECT event_id FROM webhook_deliveries
               WHERE tenant_id = $1 AND endpoint_id = $2 AND article_id = $3 AND state = 'pending'
               ORDER BY event_xid, event_id LIMIT 1)""",
        tenant_id,
        endpoint_id,
        article_id,
    )


async def unpark_stranded(pool: asyncpg.Pool) -> int:
    """Unpark every parked delivery that no pending delivery precedes any more (its predecessor went without
    unparking it: purged past retention); a periodic safety net, not the normal path. Returns how many."""
    status: str = await pool.execute(
        """UPDATE webhook_deliveries d SET next_attempt_at = now()
           WHERE d.state = 'pending' AND d.next_attempt_at = 'infinity'
             AND NOT EXISTS (
                 SELECT 1 FROM webhook_deliveries p
                 WHERE p.tenant_id = d.tenant_id AND p.endpoint_id = d.endpoint_id AND p.article_id = d.article_id
                   AND p.state = 'pending' AND (p.event_xid, p.event_id) < (d.event_xid, d.event_id))"""
    )
    return int(status.split()[-1])


async def mark_endpoint_healthy(connection: asyncpg.Connection, tenant_id: uuid.UUID, endpoint_id: uuid.UUID) -> None:
    await connection.execute(
        """UPDATE webhook_endpoints SET failing_since = NULL
           WHERE tenant_id = $1 AND id = $2 AND failing_since IS NOT NULL""",
        tenant_id,
        endpoint_id,
    )


async def mark_endpoint_failing(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, endpoint_id: uuid.UUID, at: datetime
) -> datetime | None:
    """Note a failure; returns since when the endpoint has been failing without a success."""
    since: datetime | None = await connection.fetchval(
        """UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, $3)
           WHERE tenant_id = $1 AND id = $2 RETURNING failing_since""",
        tenant_id,
        endpoint_id,
        at,
    )
    return since


async def disable_endpoint(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, endpoint_id: uuid.UUID, reason: str
) -> Webhook | None:
    """Disable an enabled endpoint and give up its pending deliveries; None when it was no longer enabled."""
    row = await connection.fetchrow(
        f"""UPDATE webhook_endpoints SET enabled = false, disabled_reason = $3, version = version + 1,
                                         updated_at = now()
            WHERE tenant_id = $1 AND id = $2 AND enabled RETURNING {_COLUMNS}""",
        tenant_id,
        endpoint_id,
        reason,
    )
    if row is None:
        return None
    await connection.execute(
        """UPDATE webhook_deliveries SET state = 'failed', finished_at = now()
           WHERE tenant_id = $1 AND endpoint_id = $2 AND state = 'pending'""",
        tenant_id,
        endpoint_id,
    )
    return to_webhook(row)


async def fetch_attempts_page(
    connection: asyncpg.Connection | asyncpg.Pool,
    tenant_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    after: tuple[datetime, int, int] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """The endpoint's attempts, newest first, keyset-paginated on (attempted_at, event_id, attempt); limit + 1."""
    rows: list[asyncpg.Record] = await connection.fetch(
        """SELECT a.event_id::text AS event_id, e.type AS event_type, a.attempt, a.attempted_at, a.status_code,
                  a.duration_ms, a.error, a.next_attempt_at, d.state
           FROM webhook_attempts a
           JOIN webhook_deliveries d USING (tenant_id, endpoint_id, event_id)
           JOIN events e ON e.tenant_id = a.tenant_id AND e.id = a.event_id
           WHERE a.tenant_id = $1 AND a.endpoint_id = $2
             AND ($3::timestamptz IS NULL OR (a.attempted_at, a.event_id, a.attempt) < ($3, $4, $5))
           ORDER BY a.attempted_at DESC, a.event_id DESC, a.attempt DESC
           LIMIT $6""",
        tenant_id,
        endpoint_id,
        *(after or (None, None, None)),
        limit + 1,
    )
    return rows


async def queue_depth(connection: asyncpg.Connection | asyncpg.Pool) -> int:
    depth: int = await connection.fetchval("SELECT count(*) FROM webhook_deliveries WHERE state = 'pending'")
    return depth
