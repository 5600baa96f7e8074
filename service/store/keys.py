"""Tenants and their API keys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from service.domain.keys import NewKey


@dataclass(frozen=True, slots=True)
class StoredKey:
    tenant_id: uuid.UUID
    key_id: str
    secret_hash: bytes
    scopes: tuple[str, ...]
    revoked: bool
    organization_name: str
    organization_url: str | None


async def ensure_tenant(connection: asyncpg.Connection, name: str) -> uuid.UUID:
    tenant_id = await connection.fetchval(
        """INSERT INTO tenants (id, name) VALUES ($1, $2)
           ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
           RETURNING id""",
        uuid.uuid4(),
        name,
    )
    assert isinstance(tenant_id, uuid.UUID)
    return tenant_id


async def insert_key(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, key: NewKey, scopes: tuple[str, ...]
) -> None:
    await connection.execute(
        "INSERT INTO api_keys (tenant_id, id, secret_hash, scopes) VALUES ($1, $2, $3, $4)",
        tenant_id,
        key.key_id,
        key.secret_hash,
        list(scopes),
    )


async def fetch_key(connection: asyncpg.Connection | asyncpg.Pool, key_id: str) -> StoredKey | None:
    row = await connection.fetchrow(
        """SELECT k.tenant_id, k.id, k.secret_hash, k.scopes, k.revoked_at IS NOT NULL AS revoked,
                  coalesce(t.organization_name, t.name) AS organization_name, t.organization_url
           FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.id = $1""",
        key_id,
    )
    if row is None:
        return None
    return StoredKey(
        row["tenant_id"], row["id"], row["secret_hash"], tuple(row["scopes"]), row["revoked"],
        row["organization_name"], row["organization_url"],
    )  # fmt: skip


async def update_organization(
    connection: asyncpg.Connection, tenant_name: str, organization_name: str | None, organization_url: str | None
) -> bool:
    status: str = await connection.execute(
        """UPDATE tenants SET organization_name = coalesce($2, organization_name),
                              organization_url = coalesce($3, organization_url)
           WHERE name = $1""",
        tenant_name,
        organization_name,
        organization_url,
    )
    return status.endswith(" 1")


async def fetch_keys(connection: asyncpg.Connection, tenant_name: str | None) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await connection.fetch(
        """SELECT t.name AS tenant, k.id, k.scopes, k.created_at, k.revoked_at
           FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
           WHERE $1::text IS NULL OR t.name = $1
           ORDER BY t.name, k.created_at""",
        tenant_name,
    )
    return rows


async def revoke_key(connection: asyncpg.Connection, key_id: str) -> bool:
    status = await connection.execute(
        "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", key_id
    )
    return bool(status.endswith(" 1"))


async def tenant_exists(connection: asyncpg.Connection, name: str) -> bool:
    return bool(await connection.fetchval("SELECT EXISTS (SELECT 1 FROM tenants WHERE name = $1)", name))
