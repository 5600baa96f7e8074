"""Writes of claim groups: confirm that two claims state the same thing, or undo it. Both claims are share-locked
(in id order) so that neither is deleted meanwhile; linking twice is a no-op (docs/claims.md)."""

from __future__ import annotations

import uuid

import asyncpg

from service.errors import InvalidInput, NotFound
from service.operations.transaction import write_transaction
from service.store import claims as claim_store


async def link_same_claims(
    pool: asyncpg.Pool, tenant_id: uuid.UUID, claim_id: uuid.UUID, other_id: uuid.UUID, key_id: str
) -> None:
    """Link `claim_id` to `other_id` (the body's `claim_id`): 404 for an unknown path claim, 422 naming
    `/claim_id` for an unknown or identical other claim."""
    if other_id == claim_id:
        raise InvalidInput(
            "/claim_id", "a claim is always the same as itself; name another claim", actual=str(other_id)
        )
    async with write_transaction(pool) as connection:
        found = await claim_store.fetch_existing_claims(connection, tenant_id, [claim_id, other_id], lock=True)
        if claim_id not in found:
            raise NotFound(f"no claim {claim_id}")
        if other_id not in found:
            raise InvalidInput("/claim_id", "names no claim of this tenant", actual=str(other_id))
        await claim_store.insert_link(connection, tenant_id, claim_id, other_id, key_id)


async def unlink_same_claims(
    pool: asyncpg.Pool, tenant_id: uuid.UUID, claim_id: uuid.UUID, other_id: uuid.UUID
) -> None:
    """Remove the link between two claims; 404 when the claim or the link does not exist. Claims linked through
    others stay in one group."""
    async with write_transaction(pool) as connection:
        found = await claim_store.fetch_existing_claims(connection, tenant_id, [claim_id, other_id], lock=True)
        if claim_id not in found:
            raise NotFound(f"no claim {claim_id}")
        if not await claim_store.delete_link(connection, tenant_id, claim_id, other_id):
            raise NotFound(f"claim {claim_id} is not linked to {other_id}")
