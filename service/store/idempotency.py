"""Stored answers to requests sent with an Idempotency-Key."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    fingerprint: bytes
    status: int
    headers: dict[str, str]
    body: bytes


async def claim_key(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, key: str, fingerprint: bytes, ttl_seconds: int
) -> StoredAnswer | None:
    """Claim `key` for this transaction, or return the answer stored under it.

    A concurrent request holding the same key makes this wait until that transaction ends: then either its
    answer is here (committed) or the key is free again (rolled back). Expired keys are claimed afresh.
    """
    claimed = await connection.fetchval(
        """INSERT INTO idempotency_keys (tenant_id, key, fingerprint, expires_at)
           VALUES ($1, $2, $3, now() + make_interval(secs => $4))
           ON CONFLICT (tenant_id, key) DO UPDATE
               SET fingerprint = EXCLUDED.fingerprint, expires_at = EXCLUDED.expires_at,
                   status = NULL, headers = NULL, body = NULL, created_at = now()
               WHERE idempotency_keys.expires_at < now()
           RETURNING true""",
        tenant_id,
        key,
        fingerprint,
        float(ttl_seconds),
    )
    if claimed:
        return None
    row = await connection.fetchrow(
        "SELECT fingerprint, status, headers, body FROM idempotency_keys WHERE tenant_id = $1 AND key = $2",
        tenant_id,
        key,
    )
    assert row is not None and row["status"] is not None  # committed by the request that claimed it
    return StoredAnswer(bytes(row["fingerprint"]), row["status"], json.loads(row["headers"]), bytes(row["body"]))


async def store_answer(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, key: str, status: int, headers: dict[str, str], body: bytes
) -> None:
    await connection.execute(
        "UPDATE idempotency_keys SET status = $3, headers = $4::jsonb, body = $5 WHERE tenant_id = $1 AND key = $2",
        tenant_id,
        key,
        status,
        json.dumps(headers),
        body,
    )


async def delete_expired(connection: asyncpg.Connection | asyncpg.Pool) -> int:
    status: str = await connection.execute("DELETE FROM idempotency_keys WHERE expires_at < now()")
    return int(status.split()[-1])
