"""Every SQL statement that touches w3c_identities: the `canonical` and `via` IRIs a W3C client sent."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg

from service.domain.w3c_protocol import Identity


async def fetch_identities(
    connection: asyncpg.Connection | asyncpg.Pool, tenant_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Identity]:
    """The stored identities of those of `ids` that have one."""
    rows = await connection.fetch(
        """SELECT annotation_id, canonical, via FROM w3c_identities
           WHERE tenant_id = $1 AND annotation_id = ANY($2::uuid[])""",
        tenant_id,
        list(ids),
    )
    return {row["annotation_id"]: Identity(row["canonical"], tuple(row["via"])) for row in rows}


async def store_identity(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, annotation_id: uuid.UUID, identity: Identity
) -> None:
    """Keep `identity` for the annotation (replacing what was kept); an empty identity keeps no row."""
    if identity.canonical is None and not identity.via:
        await connection.execute(
            "DELETE FROM w3c_identities WHERE tenant_id = $1 AND annotation_id = $2", tenant_id, annotation_id
        )
        return
    await connection.execute(
        """INSERT INTO w3c_identities (tenant_id, annotation_id, canonical, via) VALUES ($1, $2, $3, $4)
           ON CONFLICT (tenant_id, annotation_id) DO UPDATE SET canonical = excluded.canonical, via = excluded.via""",
        tenant_id,
        annotation_id,
        identity.canonical,
        list(identity.via),
    )
