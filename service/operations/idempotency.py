"""Idempotency-Key on the writes that create: a retry with the same key and body gets the first answer (same
ids, no duplicate rows); the same key with another body is a 422. The key is claimed inside the write's own
transaction, so concurrent retries of one key wait for the first and then replay it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import asyncpg

from service.errors import InvalidInput
from service.store import idempotency as idempotency_store


@dataclass(frozen=True, slots=True)
class Answer:
    """A write's HTTP answer, as it is stored for replay."""

    body: bytes
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    media_type: str = "application/json"


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    key: str
    fingerprint: bytes
    """A digest of the request (method, path, query, body): the same key with another request is refused."""
    ttl_seconds: int


async def replayed(connection: asyncpg.Connection, tenant_id: uuid.UUID, key: IdempotencyKey | None) -> Answer | None:
    """The stored answer to this key, or None when the work must be done now (the key is then claimed)."""
    if key is None:
        return None
    stored = await idempotency_store.claim_key(connection, tenant_id, key.key, key.fingerprint, key.ttl_seconds)
    if stored is None:
        return None
    if stored.fingerprint != key.fingerprint:
        raise InvalidInput("Idempotency-Key", "this key was already used for a different request", actual=key.key)
    headers = {**stored.headers, "Idempotent-Replayed": "true"}
    media_type = headers.pop("Content-Type", "application/json")
    return Answer(stored.body, stored.status, headers, media_type)


async def remember(
    connection: asyncpg.Connection, tenant_id: uuid.UUID, key: IdempotencyKey | None, answer: Answer
) -> Answer:
    """Store `answer` under the claimed key (in the write's transaction); returns it."""
    if key is not None:
        headers = {**answer.headers, "Content-Type": answer.media_type}
        await idempotency_store.store_answer(connection, tenant_id, key.key, answer.status, headers, answer.body)
    return answer
