"""Idempotency-Key on POST, as HTTP sees it: the header, the request's fingerprint, and the task that purges
expired answers. The key is honoured inside each write's transaction (service/operations/idempotency.py)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Annotated, Any

import asyncpg
from litestar import Request
from litestar.params import HeaderParameter

from service.operations.idempotency import IdempotencyKey
from service.store import idempotency as idempotency_store
from service.store.database import UNAVAILABLE

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


async def idempotency_key(
    request: Request[Any, Any, Any], header: str | None, ttl_seconds: int
) -> IdempotencyKey | None:
    """The request's Idempotency-Key with a digest of the request (method, path, query and body)."""
    if header is None:
        return None
    digest = hashlib.sha256()
    for part in (request.method, request.url.path, request.url.query or "", await request.body()):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\x00")
    return IdempotencyKey(header, digest.digest(), ttl_seconds)


async def purge_expired_keys(pool: asyncpg.Pool, every_seconds: float) -> None:
    """Delete expired Idempotency-Key answers every `every_seconds`, for as long as the app runs."""
    while True:
        await asyncio.sleep(every_seconds)
        try:
            await idempotency_store.delete_expired(pool)
        except UNAVAILABLE as exc:  # the database may be away
            log.warning("could not purge expired idempotency keys: %s", exc.__class__.__name__)
