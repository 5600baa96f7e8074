"""Idempotency-Key on POST: a retry with the same key and body gets the first answer (same ids, no duplicate
rows); the same key with another body is a 422. Runs inside the write's own transaction, so concurrent
retries of one key wait for the first and then replay it."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.params import HeaderParameter

from service.errors import InvalidInput
from service.store import idempotency as idempotency_store

log = logging.getLogger("factmark")
IdempotencyKeyHeader = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Any unique string (e.g. a UUID). A retry with the same key and body returns the first answer.",
    ),
]


async def fingerprint(request: Request[Any, Any, Any]) -> bytes:
    digest = hashlib.sha256()
    for part in (request.method, request.url.path, request.url.query or "", await request.body()):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\x00")
    return digest.digest()


class Idempotency:
    """One write's idempotency: `replay()` before the work, `answer()` to finish it."""

    def __init__(
        self, connection: asyncpg.Connection, tenant_id: uuid.UUID, key: str | None, request_fingerprint: bytes,
        ttl_seconds: int,
    ) -> None:  # fmt: skip
        self.connection, self.tenant_id, self.key = connection, tenant_id, key
        self.fingerprint, self.ttl_seconds = request_fingerprint, ttl_seconds

    async def replay(self) -> Response[Any] | None:
        """The stored answer to this key, or None when the work must be done now."""
        if self.key is None:
            return None
        stored = await idempotency_store.claim_key(
            self.connection, self.tenant_id, self.key, self.fingerprint, self.ttl_seconds
        )
        if stored is None:
            return None
        if stored.fingerprint != self.fingerprint:
            raise InvalidInput("Idempotency-Key", "this key was already used for a different request", actual=self.key)
        headers = {**stored.headers, "Idempotent-Replayed": "true"}
        media_type = headers.pop("Content-Type", "application/json")
        return Response(stored.body, status_code=stored.status, headers=headers, media_type=media_type)

    async def answer(
        self, content: Any, status_code: int, headers: dict[str, str], media_type: str = "application/json"
    ) -> Response[Any]:
        """The response to this write (any msgspec-encodable content), stored first when a key was given."""
        body = msgspec.json.encode(content)
        if self.key is not None:
            stored_headers = {**headers, "Content-Type": media_type}
            await idempotency_store.store_answer(
                self.connection, self.tenant_id, self.key, status_code, stored_headers, body
            )
        return Response(body, status_code=status_code, headers=headers, media_type=media_type)


async def purge_expired_keys(pool: asyncpg.Pool, every_seconds: float) -> None:
    """Delete expired Idempotency-Key answers every `every_seconds`, for as long as the app runs."""
    while True:
        await asyncio.sleep(every_seconds)
        try:
            await idempotency_store.delete_expired(pool)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:  # the database may be away
            log.warning("could not purge expired idempotency keys: %s", exc.__class__.__name__)
