"""Stream tokens for EventSource clients: minted by an API key, valid for a few minutes."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from service.domain.keys import NewKey
from service.store.keys import StoredKey


async def insert_stream_token(
    connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID, token: NewKey, key_id: str, ttl_seconds: int
) -> datetime:
    expires_at: datetime = await connection.fetchval(
        """INSERT INTO stream_tokens (tenant_id, id, secret_hash, key_id, expires_at)
           VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING expires_at""",
        tenant_id,
        token.key_id,
        token.secret_hash,
        key_id,
        ttl_seconds,
    )
    return expires_at


async def fetch_stream_token(connection: asyncpg.Connection | asyncpg.Pool, token_id: str) -> StoredKey | None:
    """The token as a read-only key of its tenant; revoked when expired or when the key that minted it is."""
    row = await connection.fetchrow(
        """SELECT s.tenant_id, s.key_id, s.secret_hash, (s.expires_at < now() OR k.revoked_at IS NOT NULL) AS revoked,
                  coalesce(t.organization_name, t.name) AS organization_name, t.organization_url
           FROM stream_tokens s
           JOIN api_keys k ON k.tenant_id = s.tenant_id AND k.id = s.key_id
           JOIN tenants t ON t.id = s.tenant_id
           WHERE s.id = $1""",
        token_id,
    )
    if row is None:
        return None
    return StoredKey(
        row["tenant_id"], row["key_id"], row["secret_hash"], ("read",), row["revoked"], row["organization_name"],
        row["organization_url"],
    )  # fmt: skip
