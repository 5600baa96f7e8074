"""Writes of webhook endpoints: register (Idempotency-Key honoured; the answer, secret included, is replayed
for the key's lifetime), change with If-Match, remove, rotate the secret, queue a test event."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import msgspec

from service.domain.webhooks import generate_secret
from service.errors import Conflict, NotFound
from service.operations.idempotency import Answer, IdempotencyKey, remember, replayed
from service.operations.transaction import check_if_match, write_transaction
from service.store import webhooks as webhook_store
from service.wire_events import Webhook, WebhookWithSecret


def with_secret(webhook: Webhook, secret: str) -> WebhookWithSecret:
    return WebhookWithSecret(**msgspec.structs.asdict(webhook), secret=secret)


async def create_webhook(
    pool: asyncpg.Pool,
    tenant_id: uuid.UUID,
    values: dict[str, Any],
    *,
    idempotency: IdempotencyKey | None,
    present: Callable[[WebhookWithSecret], Answer],
) -> Answer:
    async with write_transaction(pool) as connection:
        if replay := await replayed(connection, tenant_id, idempotency):
            return replay
        secret = generate_secret()
        webhook = await webhook_store.insert_endpoint(connection, tenant_id, uuid.uuid4(), values, secret)
        return await remember(connection, tenant_id, idempotency, present(with_secret(webhook, secret)))


async def update_webhook(
    pool: asyncpg.Pool, tenant_id: uuid.UUID, webhook_id: uuid.UUID, changes: dict[str, Any], if_match: str | None
) -> Webhook:
    async with write_transaction(pool) as connection:
        current = await webhook_store.lock_endpoint(connection, tenant_id, webhook_id)
        if current is None:
            raise NotFound(f"no webhook {webhook_id}")
        check_if_match(if_match, current.version)
        return await webhook_store.update_endpoint(connection, tenant_id, webhook_id, changes)


async def delete_webhook(pool: asyncpg.Pool, tenant_id: uuid.UUID, webhook_id: uuid.UUID) -> None:
    async with write_transaction(pool) as connection:
        if await webhook_store.lock_endpoint(connection, tenant_id, webhook_id) is None:
            raise NotFound(f"no webhook {webhook_id}")
        await webhook_store.delete_endpoint(connection, tenant_id, webhook_id)


async def rotate_secret(
    pool: asyncpg.Pool, tenant_id: uuid.UUID, webhook_id: uuid.UUID, overlap_seconds: int
) -> WebhookWithSecret:
    secret = generate_secret()
    webhook = await webhook_store.rotate_secret(pool, tenant_id, webhook_id, secret, overlap_seconds)
    if webhook is None:
        raise NotFound(f"no webhook {webhook_id}")
    return with_secret(webhook, secret)


async def send_test(pool: asyncpg.Pool, tenant_id: uuid.UUID, webhook_id: uuid.UUID) -> int:
    """Queue a `webhook.test` for this endpoint alone; returns the event's id."""
    async with write_transaction(pool) as connection:
        webhook = await webhook_store.lock_endpoint(connection, tenant_id, webhook_id)
        if webhook is None:
            raise NotFound(f"no webhook {webhook_id}")
        if not webhook.enabled:
            raise Conflict('the webhook is disabled; enable it first (PATCH {"enabled": true})')
        data = {"webhook_id": str(webhook.id), "message": "a test delivery from Factmark"}
        return await webhook_store.queue_test(connection, tenant_id, webhook_id, msgspec.json.encode(data))
